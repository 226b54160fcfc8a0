import { afterAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../contract/index.js';
import { isFerryError } from '../../errors/index.js';
import { caught } from '../fixtures/store-behaviour.js';
import { spawnFixture, waitForExit } from '../fixtures/spawn-fixture.js';
import { STORE_MIGRATIONS, type Migration } from '../migrations.js';
import { testPool, testSchemas, TEST_DATABASE_URL } from './fixtures/test-schemas.js';
import { applyPostgresMigrations, readPostgresSchemaVersion } from './postgres-migrate.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { PostgresStore } from './postgres-store.js';

const schemas = testSchemas('migrate');

afterAll(async () => {
  await schemas.dropAll();
});

function locationOf(schema: string): string {
  return `${TEST_DATABASE_URL}?schema=${schema}`;
}

function versionRows(schema: string): { version: number; name: string }[] {
  const pool = testPool(schema);
  try {
    return pool.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version').rows;
  } finally {
    pool.close();
  }
}

function tableNames(schema: string): string[] {
  const pool = testPool(schema);
  try {
    return pool.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1', [schema]).rows.map((row) => row.name);
  } finally {
    pool.close();
  }
}

/** Applies `migrations` to a schema with a pool of its own. */
function migrate(schema: string, migrations: readonly Migration[]): ReturnType<typeof applyPostgresMigrations> {
  const pool = testPool(schema);
  try {
    return applyPostgresMigrations(pool, migrations, schema);
  } finally {
    pool.close();
  }
}

function recordingLogger(messages: string[]): Logger {
  const at = (_obj: object | string, msg?: string): void => {
    messages.push(msg ?? '');
  };
  const logger: Logger = { debug: at, info: at, warn: at, error: at, child: () => logger };
  return logger;
}

function firstMigration(): Migration {
  const [first] = POSTGRES_MIGRATIONS;
  if (first === undefined) throw new Error('no migrations');
  return first;
}

describe('PostgreSQL store migrations', () => {
  it('have the versions and names of the SQLite migrations, so both stores move in step', () => {
    expect(POSTGRES_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(STORE_MIGRATIONS.map((m) => [m.version, m.name]));
  });

  it('create the schema, bring it to the last version, recording each step, and do nothing on reopen', () => {
    const schema = schemas.newSchema();
    const messages: string[] = [];
    const store = new PostgresStore(locationOf(schema), { log: recordingLogger(messages) });
    expect(store.schemaVersion()).toBe(POSTGRES_MIGRATIONS.length);
    store.close();
    expect(messages).toEqual(['store schema upgraded']);
    expect(versionRows(schema)).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(tableNames(schema)).toEqual(['checkpoints', 'dead_letters', 'kv', 'link_writes', 'links', 'runs', 'schema_migrations', 'webhook_inbox']);

    const again: string[] = [];
    new PostgresStore(locationOf(schema), { log: recordingLogger(again) }).close();
    expect(again).toEqual([]);
    expect(migrate(schema, POSTGRES_MIGRATIONS)).toEqual({ from: POSTGRES_MIGRATIONS.length, to: POSTGRES_MIGRATIONS.length, applied: [] });
  });

  it('upgrade an older store step by step and keep its data', () => {
    const schema = schemas.newSchema();
    migrate(schema, [firstMigration()]);
    const pool = testPool(schema);
    try {
      pool.query(`INSERT INTO runs (pipeline, mode, "trigger", status, started_at) VALUES ('leads', 'full', 'manual', 'succeeded', now())`);
      pool.query(`INSERT INTO kv (namespace, key, value, updated_at) VALUES ('ns', 'k', 'kept', now())`);
    } finally {
      pool.close();
    }
    expect(tableNames(schema)).not.toContain('webhook_inbox');

    const store = new PostgresStore(locationOf(schema));
    try {
      expect(store.schemaVersion()).toBe(POSTGRES_MIGRATIONS.length);
      expect(store.getValue('ns', 'k')).toBe('kept');
      // Runs from before partitions belong to no partition.
      expect(store.listRuns().map((run) => [run.pipeline, run.partition])).toEqual([['leads', '']]);
      expect(store.inboxPut({ connection: 'c', trigger: 't', deliveryId: 'd', body: Buffer.from('{}') }).inserted).toBe(true);
    } finally {
      store.close();
    }
  });

  it('give dead letters written before partitions were recorded on them the partition of their run', () => {
    const schema = schemas.newSchema();
    migrate(schema, POSTGRES_MIGRATIONS.filter((m) => m.version <= 3));
    const pool = testPool(schema);
    try {
      const runs = pool.query<{ id: string }>(
        `INSERT INTO runs (pipeline, mode, "trigger", "partition", status, started_at) VALUES ('leads', 'full', 'manual', '', 'partial', now()),
           ('leads', 'full', 'manual', 'loc-a', 'partial', now()) RETURNING id`,
      ).rows;
      pool.query(
        `INSERT INTO dead_letters (run_id, pipeline, stream, source_id, record, error_code, error_message, attempts, created_at, updated_at)
         VALUES ($1, 'leads', 'contacts', 'plain', '{}', 'HTTP_422', 'bad', 1, now(), now()), ($2, 'leads', 'contacts', 'in-a', '{}', 'HTTP_422', 'bad', 1, now(), now())`,
        [runs[0]?.id ?? null, runs[1]?.id ?? null],
      );
    } finally {
      pool.close();
    }

    const store = new PostgresStore(locationOf(schema));
    try {
      expect(store.schemaVersion()).toBe(POSTGRES_MIGRATIONS.length);
      expect(store.listDeadLetters().map((row) => [row.sourceId, row.partition])).toEqual([
        ['plain', ''],
        ['in-a', 'loc-a'],
      ]);
      expect(store.listDeadLetters({ partition: 'loc-a' }).map((row) => row.sourceId)).toEqual(['in-a']);
    } finally {
      store.close();
    }
  });

  it('roll back every step of a run that fails, and finish on the next attempt', () => {
    const schema = schemas.newSchema();
    migrate(schema, [firstMigration()]);
    const broken: Migration = { version: 2, name: 'two tables', up: 'CREATE TABLE half_done (x text); CREATE TABLE broken (;' };
    const error = caught(() => migrate(schema, [firstMigration(), broken]));
    expect(isFerryError(error) && error.code).toBe('STORE_FAILED');
    expect(isFerryError(error) && error.message).toMatch(/syntax error/);
    expect(versionRows(schema).map((row) => row.version)).toEqual([1]);
    expect(tableNames(schema)).not.toContain('half_done');

    const fixed: Migration = { version: 2, name: 'two tables', up: 'CREATE TABLE half_done (x text); CREATE TABLE broken (y text);' };
    expect(migrate(schema, [firstMigration(), fixed])).toEqual({ from: 1, to: 2, applied: [fixed] });
    expect(tableNames(schema)).toEqual(expect.arrayContaining(['half_done', 'broken']));
  });

  it('are applied once when several processes open a new store at the same time', async () => {
    const schema = schemas.newSchema();
    const names = ['a', 'b', 'c'];
    const racers = names.map((name) => spawnFixture('../postgres/fixtures/open-store.ts', [locationOf(schema), name]));
    const exits = await Promise.all(racers.map((child) => waitForExit(child)));
    expect(exits.map((exit) => [exit.code, exit.stderr])).toEqual(racers.map(() => [0, '']));
    expect(versionRows(schema).map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));

    const store = new PostgresStore(locationOf(schema));
    try {
      expect(names.map((name) => store.getValue('racers', name))).toEqual(names.map(() => String(POSTGRES_MIGRATIONS.length)));
    } finally {
      store.close();
    }
  });

  it('refuse a store written by a newer ferry, read-write or read-only', () => {
    const schema = schemas.newSchema();
    new PostgresStore(locationOf(schema)).close();
    const pool = testPool(schema);
    try {
      pool.query(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', now())`);
      expect(readPostgresSchemaVersion(pool)).toBe(99);
    } finally {
      pool.close();
    }
    for (const readonly of [false, true]) {
      const error = caught(() => new PostgresStore(locationOf(schema), { readonly }));
      expect(isFerryError(error) && error.code).toBe('STORE_TOO_NEW');
      expect(isFerryError(error) && error.message).toContain('99');
      expect(isFerryError(error) && error.hint).toMatch(/Upgrade ferry/);
    }
  });

  it('are never run by a read-only store, which asks for an upgrade instead', () => {
    const schema = schemas.newSchema();
    migrate(schema, [firstMigration()]);
    const error = caught(() => new PostgresStore(locationOf(schema), { readonly: true }));
    expect(isFerryError(error) && error.code).toBe('STORE_NEEDS_UPGRADE');
    expect(versionRows(schema).map((row) => row.version)).toEqual([1]);

    const missing = caught(() => new PostgresStore(locationOf(schemas.newSchema()), { readonly: true }));
    expect(isFerryError(missing) && missing.code).toBe('STORE_NOT_FOUND');
  });

  it('must be numbered 1, 2, 3 …', () => {
    const schema = schemas.newSchema();
    const error = caught(() => migrate(schema, [{ version: 2, name: 'skips one', up: 'SELECT 1' }]));
    expect(isFerryError(error) && error.code).toBe('STORE_MIGRATIONS_INVALID');
  });
});
