import Database from 'better-sqlite3';
import { FerryError, isFerryError } from '../errors/index.js';

export type StoreErrorCode =
  | 'STORE_DISK_FULL'
  | 'STORE_CORRUPT'
  | 'STORE_READONLY'
  | 'STORE_BUSY'
  | 'STORE_CANNOT_OPEN'
  | 'STORE_CONSTRAINT'
  | 'STORE_IO'
  | 'STORE_CLOSED'
  | 'STORE_UNAVAILABLE'
  | 'STORE_FAILED';

/** SQLite result codes come as `SQLITE_IOERR` or an extended `SQLITE_IOERR_WRITE`; both belong to the family. */
function inFamily(code: string, family: string): boolean {
  return code === family || code.startsWith(`${family}_`);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function storeError(code: StoreErrorCode, message: string, hint: string, file: string, cause: unknown): FerryError<StoreErrorCode> {
  return new FerryError(code, message, { hint, details: { file }, cause });
}

/**
 * Turns what SQLite or the file system threw into a FerryError a person can act on. SQLite's own messages name
 * tables and columns, never values, so they are safe to show. FerryErrors pass through; anything else (a bug
 * in the caller, such as content JSON.stringify cannot serialise) is rethrown unchanged by the caller.
 */
export function toStoreError(error: unknown, file: string): FerryError | undefined {
  if (isFerryError(error)) return error;
  const code = errorCode(error);
  const said = error instanceof Error ? error.message : String(error);

  if (error instanceof TypeError && /database connection is not open/i.test(said)) {
    return storeError('STORE_CLOSED', `The store ${file} is already closed.`, 'Open the store again before using it; close() is the last call on a store.', file, error);
  }
  if (code === undefined) return undefined;

  if (inFamily(code, 'SQLITE_FULL') || code === 'ENOSPC' || code === 'EDQUOT') {
    return storeError(
      'STORE_DISK_FULL',
      `The store ${file} cannot grow: the disk that holds it (or the store's size cap) is full.`,
      'Free space on that disk (or raise the store\'s maxSizeBytes), then run again: runs resume from their last checkpoint.',
      file,
      error,
    );
  }
  if (inFamily(code, 'SQLITE_CORRUPT') || inFamily(code, 'SQLITE_NOTADB')) {
    return storeError(
      'STORE_CORRUPT',
      `${file} is not a readable ferry store (SQLite: ${said}).`,
      `If it is a ferry store, restore it from a backup or salvage it with \`sqlite3 ${file} .recover\`; if it is some other file, point \`store:\` in ferry.yaml at a new path.`,
      file,
      error,
    );
  }
  if (inFamily(code, 'SQLITE_READONLY') || code === 'EROFS') {
    return storeError(
      'STORE_READONLY',
      `The store ${file} cannot be written (SQLite: ${said}).`,
      'Check that this user can write the file and its folder (SQLite keeps -wal and -shm files beside it), or open the store read-write.',
      file,
      error,
    );
  }
  if (inFamily(code, 'SQLITE_BUSY') || inFamily(code, 'SQLITE_LOCKED')) {
    return storeError(
      'STORE_BUSY',
      `The store ${file} stayed locked by another process for longer than the busy timeout.`,
      'Another ferry process is writing to this store; let it finish, or raise busyTimeoutMs. A store on a network file system (NFS, SMB) cannot be shared safely.',
      file,
      error,
    );
  }
  if (inFamily(code, 'SQLITE_CANTOPEN') || inFamily(code, 'SQLITE_PERM') || inFamily(code, 'SQLITE_AUTH') || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'ENOTDIR') {
    return storeError(
      'STORE_CANNOT_OPEN',
      `The store ${file} cannot be opened (${said}).`,
      'Check that the path names a file (not a folder) and that this user may read and write it and its folder.',
      file,
      error,
    );
  }
  if (inFamily(code, 'SQLITE_CONSTRAINT')) {
    return storeError(
      'STORE_CONSTRAINT',
      `The store refused a write: ${said}.`,
      'A value the store requires was missing or pointed at nothing (e.g. a runId that startRun did not return); nothing of that write was kept. This is a bug: report it with this message.',
      file,
      error,
    );
  }
  if (inFamily(code, 'SQLITE_IOERR')) {
    return storeError(
      'STORE_IO',
      `The disk returned an I/O error for the store ${file} (SQLite: ${said}).`,
      'Check the disk and the file system that hold the store (dmesg, free space, mount state), then run again.',
      file,
      error,
    );
  }
  if (error instanceof Database.SqliteError) {
    return storeError('STORE_FAILED', `The store ${file} failed: ${said}.`, 'Run again; if it keeps failing, report it with this message.', file, error);
  }
  return undefined;
}
