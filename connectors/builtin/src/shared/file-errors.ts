import { FerryError } from '@ferry/core';

export function fileNotFound(file: string): FerryError {
  return new FerryError('FILE_NOT_FOUND', `file not found: ${file}`, {
    hint: "check the connection's `path` in ferry.yaml; relative paths resolve against the directory of ferry.yaml",
    details: { file },
  });
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code: unknown = error.code;
  return typeof code === 'string' ? code : undefined;
}

/** Turns a node:fs error into a FerryError that names the file and what to do. */
export function fileError(error: unknown, file: string, doing: 'read' | 'write'): FerryError {
  if (error instanceof FerryError) return error;
  const code = errnoCode(error);
  switch (code) {
    case 'ENOENT':
      return fileNotFound(file);
    case 'EACCES':
    case 'EPERM':
      return new FerryError('FILE_NOT_ACCESSIBLE', `no permission to ${doing} ${file}`, {
        hint: `give the user running ferry ${doing} permission on the file (and its directory)`,
        details: { file, systemic: true },
        cause: error,
      });
    case 'EISDIR':
      return new FerryError('FILE_IS_DIRECTORY', `${file} is a directory, not a file`, {
        hint: "point the connection's `path` at a file inside it",
        details: { file, systemic: true },
        cause: error,
      });
    case 'ENOSPC':
    case 'EDQUOT':
      return new FerryError('DISK_FULL', `no space left to write ${file}`, {
        hint: 'free disk space (or raise the quota), then run again: the run resumes from its last checkpoint',
        details: { file, systemic: true },
        cause: error,
      });
    default:
      return new FerryError('FILE_IO_FAILED', `could not ${doing} ${file}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'check the disk and the file, then run again',
        details: { file, ...(code === undefined ? {} : { errno: code }) },
        cause: error,
      });
  }
}
