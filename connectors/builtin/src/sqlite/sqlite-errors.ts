import { FerryError } from '@ferry/core';

function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * better-sqlite3's errors as FerryErrors. Failures of the file itself (locked, full, read-only, not a database)
 * are systemic: the engine stops at its last checkpoint instead of dead-lettering every record.
 */
export function sqliteError(error: unknown, file: string): FerryError {
  if (error instanceof FerryError) return error;
  const code = sqliteCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const fail = (ferryCode: string, text: string, hint: string, systemic: boolean): FerryError =>
    new FerryError(ferryCode, text, { hint, cause: error, details: { file, sqliteCode: code, ...(systemic ? { systemic } : {}) } });
  if (code === undefined) {
    return fail('SQLITE_FAILED', `${file}: ${message}`, 'check the warehouse file and run again', false);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return fail('SQLITE_BUSY', `${file} is locked by another writer`, 'let the other process finish (or stop it), then run again: the run resumes from its last checkpoint', true);
  }
  if (code === 'SQLITE_FULL') {
    return fail('DISK_FULL', `no space left to write ${file}`, 'free disk space, then run again: the run resumes from its last checkpoint', true);
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return fail('SQLITE_CANT_OPEN', `cannot open ${file}`, "check that the directory exists and is writable, or change the connection's `path`", true);
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return fail('SQLITE_READ_ONLY', `${file} is read-only`, 'give the user running ferry write permission on the file and its directory', true);
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return fail('SQLITE_CORRUPT', `${file} is not a usable SQLite database (${message})`, "point the connection's `path` at a SQLite file or at a new path (it is created)", true);
  }
  if (code === 'SQLITE_MISMATCH') {
    return fail('SQLITE_TYPE_MISMATCH', `${file}: ${message} (an INTEGER primary key got a value that is not an integer)`, 'map an integer into the key field, or write to a new table whose key is TEXT', false);
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return fail('SQLITE_CONSTRAINT', `${file}: ${message}`, 'the record breaks a constraint of the table; fix the record or the table', false);
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return fail('SQLITE_IO_FAILED', `${file}: disk I/O error (${message})`, 'check the disk, then run again: the run resumes from its last checkpoint', true);
  }
  return fail('SQLITE_FAILED', `${file}: ${message}`, 'check the warehouse file and the record, then run again', false);
}
