import { afterAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../errors/index.js';
import { caught } from '../fixtures/store-behaviour.js';
import { openStore } from '../open-store.js';
import { testPool, testSchemas } from './fixtures/test-schemas.js';
import { toPostgresStoreError } from './postgres-error.js';
import { PostgresStore } from './postgres-store.js';
import type { PgFailure } from './pg-worker-protocol.js';

const schemas = testSchemas('errors');

afterAll(async () => {
  await schemas.dropAll();
});

function failure(code: string | undefined, message = 'the server said so'): PgFailure {
  return { message, name: 'error', code, severity: 'ERROR', constraint: undefined, table: undefined, column: undefined };
}

describe('toPostgresStoreError', () => {
  it.each([
    ['ECONNREFUSED', 'STORE_UNAVAILABLE'],
    ['ENOTFOUND', 'STORE_UNAVAILABLE'],
    ['08006', 'STORE_UNAVAILABLE'],
    ['57P01', 'STORE_UNAVAILABLE'],
    ['53300', 'STORE_UNAVAILABLE'],
    ['28P01', 'STORE_CANNOT_OPEN'],
    ['3D000', 'STORE_CANNOT_OPEN'],
    ['42501', 'STORE_CANNOT_OPEN'],
    ['53100', 'STORE_DISK_FULL'],
    ['25006', 'STORE_READONLY'],
    ['40P01', 'STORE_BUSY'],
    ['55P03', 'STORE_BUSY'],
    ['57014', 'STORE_BUSY'],
    ['23502', 'STORE_CONSTRAINT'],
    ['23503', 'STORE_CONSTRAINT'],
    ['XX001', 'STORE_CORRUPT'],
    ['58030', 'STORE_IO'],
    ['42P01', 'STORE_FAILED'],
    [undefined, 'STORE_FAILED'],
  ])('turns %s into %s with the location and a hint', (code, expected) => {
    const mapped = toPostgresStoreError(failure(code), 'postgres://***@db/ferry');
    expect(mapped.code).toBe(expected);
    expect(mapped.hint).toBeTruthy();
    expect(mapped.message).toContain('the server said so');
    expect(mapped.details).toEqual({ location: 'postgres://***@db/ferry', sqlState: code });
  });

  it('knows a lost connection by the driver’s words when there is no code', () => {
    expect(toPostgresStoreError(failure(undefined, 'timeout exceeded when trying to connect'), 'x').code).toBe('STORE_UNAVAILABLE');
    expect(toPostgresStoreError(failure(undefined, 'Connection terminated unexpectedly'), 'x').code).toBe('STORE_UNAVAILABLE');
  });
});

describe('a PostgreSQL store that cannot be used', () => {
  it('says the server cannot be reached, with a hint and without the password', () => {
    const error = caught(() => openStore('postgres://postgres:s3cret@127.0.0.1:1/test?schema=ferry&password=s3cret', '/'));
    expect(isFerryError(error) && error.code).toBe('STORE_UNAVAILABLE');
    expect(isFerryError(error) && error.hint).toMatch(/pg_isready/);
    expect(isFerryError(error) && error.message).toContain('postgres://***@127.0.0.1:1/test');
    const shown = isFerryError(error) ? `${error.message} ${error.hint ?? ''} ${JSON.stringify(error.toJSON())} ${JSON.stringify(error.cause)} ${error.stack ?? ''}` : '';
    expect(shown).not.toContain('s3cret');
  });

  it('says which database is missing', () => {
    const error = caught(() => openStore(`postgres://postgres@127.0.0.1:5432/ferry_no_such_db_${process.pid}`, '/'));
    expect(isFerryError(error) && error.code).toBe('STORE_CANNOT_OPEN');
    expect(isFerryError(error) && error.hint).toMatch(/createdb/);
  });

  it('refuses writes when opened read-only', () => {
    const location = schemas.newLocation();
    new PostgresStore(location).close();
    const reader = new PostgresStore(location, { readonly: true });
    try {
      expect(reader.getValue('ns', 'k')).toBeUndefined();
      const error = caught(() => reader.setValue('ns', 'k', 'v'));
      expect(isFerryError(error) && error.code).toBe('STORE_READONLY');
    } finally {
      reader.close();
    }
  });

  it('waits for rows another store holds no longer than busyTimeoutMs, then says STORE_BUSY', () => {
    const location = schemas.newLocation();
    const holder = new PostgresStore(location);
    const waiter = new PostgresStore(location, { busyTimeoutMs: 200 });
    try {
      holder.setValue('ns', 'k', 'v');
      // A row lock held by an open transaction of a third connection (as another process mid-batch would).
      const error = holdRowWhile(location, () => caught(() => waiter.setValue('ns', 'k', 'w')));
      expect(isFerryError(error) && error.code).toBe('STORE_BUSY');
      expect(isFerryError(error) && error.hint).toMatch(/busyTimeoutMs/);
      // The lock is gone: the write goes through.
      waiter.setValue('ns', 'k', 'w');
      expect(holder.getValue('ns', 'k')).toBe('w');
    } finally {
      holder.close();
      waiter.close();
    }
  });
});

/** Runs `action` while another connection holds kv's row ('ns', 'k') locked in an open transaction. */
function holdRowWhile<T>(location: string, action: () => T): T {
  const pool = testPool(new URL(location).searchParams.get('schema') ?? 'public');
  try {
    return pool.withSession((session) => {
      session.query('BEGIN');
      session.query(`SELECT value FROM kv WHERE namespace = 'ns' AND key = 'k' FOR UPDATE`);
      try {
        return action();
      } finally {
        session.query('ROLLBACK');
      }
    });
  } finally {
    pool.close();
  }
}
