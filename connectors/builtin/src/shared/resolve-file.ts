import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ConnectorContext } from '@ferry/core';
import { fileError } from './file-errors.js';

/** A configured path as an absolute one: relative paths resolve against the directory of ferry.yaml. */
export function resolveFile(ctx: ConnectorContext, path: string): string {
  return resolve(ctx.baseDir, path);
}

/** The size of a file that must exist and be a regular file (FILE_NOT_FOUND with the absolute path otherwise). */
export async function existingFileSize(file: string): Promise<number> {
  try {
    const stats = await stat(file);
    if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    return stats.size;
  } catch (error) {
    throw fileError(error, file, 'read');
  }
}
