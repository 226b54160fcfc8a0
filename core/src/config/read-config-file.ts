import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from './config-error.js';

/** The text of a pipeline or project file; a file that cannot be read is a CONFIG_NOT_FOUND at its line 1. */
export function readConfigFile(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.startsWith('\uFEFF') ? text.slice(1) : text;
  } catch (error) {
    const code = error !== null && typeof error === 'object' && 'code' in error ? String(error.code) : '';
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'this is a directory, not a file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'the file cannot be read (permission denied)'
            : `the file cannot be read (${code === '' ? 'unknown error' : code})`;
    throw new ConfigError('CONFIG_NOT_FOUND', { file, line: 1, column: 1 }, reason, {
      hint:
        code === 'ENOENT'
          ? `check the path (looked in ${dirname(file)}), or create the file`
          : 'check the path and the file permissions',
      details: { errno: code },
      cause: error,
    });
  }
}
