import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../errors/index.js';
import { toStoreError } from './store-error.js';

function sqliteError(code: string, message = 'sqlite said so'): Error {
  return new Database.SqliteError(message, code);
}

function systemError(code: string): Error {
  return Object.assign(new Error(`${code}: something`), { code });
}

describe('toStoreError', () => {
  it.each([
    [sqliteError('SQLITE_FULL'), 'STORE_DISK_FULL'],
    [systemError('ENOSPC'), 'STORE_DISK_FULL'],
    [sqliteError('SQLITE_CORRUPT_INDEX'), 'STORE_CORRUPT'],
    [sqliteError('SQLITE_NOTADB'), 'STORE_CORRUPT'],
    [sqliteError('SQLITE_READONLY_DBMOVED'), 'STORE_READONLY'],
    [sqliteError('SQLITE_BUSY_SNAPSHOT'), 'STORE_BUSY'],
    [sqliteError('SQLITE_CANTOPEN'), 'STORE_CANNOT_OPEN'],
    [systemError('EACCES'), 'STORE_CANNOT_OPEN'],
    [sqliteError('SQLITE_CONSTRAINT_NOTNULL'), 'STORE_CONSTRAINT'],
    [sqliteError('SQLITE_IOERR_FSYNC'), 'STORE_IO'],
    [sqliteError('SQLITE_ERROR'), 'STORE_FAILED'],
    [new TypeError('The database connection is not open'), 'STORE_CLOSED'],
  ])('turns %s into %s with the file and a hint', (error, code) => {
    const mapped = toStoreError(error, '/data/ferry.db');
    expect(mapped?.code).toBe(code);
    expect(mapped?.hint).toBeTruthy();
    expect(mapped?.details).toEqual({ file: '/data/ferry.db' });
    expect(mapped?.cause).toBe(error);
  });

  it('does not confuse a family with a longer name', () => {
    expect(toStoreError(sqliteError('SQLITE_FULLNESS'), 'f')?.code).toBe('STORE_FAILED');
  });

  it('passes FerryErrors through and leaves other errors to the caller', () => {
    const ferry = new FerryError('STORE_TOO_NEW', 'newer');
    expect(toStoreError(ferry, 'f')).toBe(ferry);
    expect(toStoreError(new RangeError('Too few parameter values were provided'), 'f')).toBeUndefined();
    expect(toStoreError('a string', 'f')).toBeUndefined();
  });
});
