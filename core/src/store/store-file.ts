import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../contract/index.js';

/**
 * Makes sure the store's folder exists and, for a new store, creates the file empty with mode 0600 before
 * SQLite opens it: SQLite gives the -wal and -shm files the mode of the database file, so all three stay
 * private (the store holds personal data from the CRM and encrypted tokens). SQLite treats an empty file as a
 * new database. An existing file keeps its mode; a warning says when others can read it.
 */
export function prepareStoreFile(file: string, log: Logger | undefined): { created: boolean } {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(file, 'wx', 0o600));
    return { created: true };
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    log?.warn(
      { file, mode: mode.toString(8) },
      `the store file can be read by other users; \`chmod 600 ${file}\` keeps its data private (the -wal and -shm files follow its mode)`,
    );
  }
  return { created: false };
}
