import { randomBytes } from 'node:crypto';
import { Pool, type QueryResultRow } from 'pg';
import { afterAll } from 'vitest';
import type { ConnectorContext } from '@ferry/core';
import { createTestContext } from '@ferry/core/testing';
import { warehouseTypeParsers } from './pg-type-parsers.js';
import { closePostgresWarehouses } from './postgres-warehouse.js';

/** The local test database (trust auth on loopback). */
export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own for one test file, dropped (with everything in it) after the file's tests. */
export interface PgTestSchema {
  readonly schema: string;
  readonly url: string;
  /** A quiet context for a postgres connection to this schema; contexts share one cache, so one pool per config. */
  ctxFor(config?: Record<string, unknown>): ConnectorContext;
  /** A query on connections of its own, as another process would see the warehouse. */
  look<R extends QueryResultRow = QueryResultRow>(sql: string, values?: unknown[]): Promise<R[]>;
  /** A fresh schema name under this file's prefix (dropped with the file's schema). */
  another(label: string): string;
}

export function pgTestSchema(label: string): PgTestSchema {
  const prefix = `ferry_t_${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const schemas = [prefix];
  const cache = new Map<string, unknown>();
  const observer = new Pool({ connectionString: TEST_DATABASE_URL, types: warehouseTypeParsers, max: 2 });
  afterAll(async () => {
    await closePostgresWarehouses({ cache });
    for (const schema of schemas) await observer.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await observer.end();
  });
  return {
    schema: prefix,
    url: TEST_DATABASE_URL,
    ctxFor: (config = {}) => createTestContext({ connection: 'warehouse', config: { url: TEST_DATABASE_URL, schema: prefix, ...config }, cache }),
    async look<R extends QueryResultRow = QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
      const result = await observer.query<R>(sql, values);
      return result.rows;
    },
    another(name) {
      const schema = `${prefix}_${name}`;
      schemas.push(schema);
      return schema;
    },
  };
}
