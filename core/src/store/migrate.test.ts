import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../contract/index.js';
import { isFerryError } from '../errors/index.js';
import { applyMigrations, readSchemaVersion } from './migrate.js';
import { STORE_MIGRATIONS, type Migration } from './migrations.js';
import { openSqliteStore } from './sqlite-store.js';
import { spawnFixture, until, waitForExit, waitForLine } from './fixtures/spawn-fixture.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-migrate-'));
  file = join(dir, 'ferry.db');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function versionRows(path: string): { version: number; name: string; applied_at: string }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], { version: number; name: string; applied_at: string }>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all();
  } finally {
    db.close();
  }
}

function tableNames(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare<[], string>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
  } finally {
    db.close();
  }
}

function firstMigration(): Migration {
  const [first] = STORE_MIGRATIONS;
  if (first === undefined) throw new Error('no migrations');
  return first;
}

/** A store as the first released ferry left it: only migration 1 applied. */
function firstVersionStore(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  applyMigrations(db, [firstMigration()], path);
  return db;
}

function walSize(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}

interface LogLine {
  level: string;
  obj: object | string;
  msg: string | undefined;
}

function recordingLogger(lines: LogLine[]): Logger {
  const at =
    (level: string) =>
    (obj: object | string, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

describe('store migrations', () => {
  it('bring a new store to the last version, recording each step, and do nothing on reopen', () => {
    const lines: LogLine[] = [];
    const store = openSqliteStore(file, { log: recordingLogger(lines) });
    expect(store.schemaVersion()).toBe(STORE_MIGRATIONS.length);
    store.setValue('ns', 'k', 'v');
    store.close();
    expect(lines.filter((line) => line.msg === 'store schema upgraded')).toHaveLength(1);

    const rows = versionRows(file);
    expect(rows.map((row) => [row.version, row.name])).toEqual(STORE_MIGRATIONS.map((m) => [m.version, m.name]));
    expect(rows.every((row) => !Number.isNaN(Date.parse(row.applied_at)))).toBe(true);

    const again: LogLine[] = [];
    const reopened = openSqliteStore(file, { log: recordingLogger(again) });
    expect(reopened.getValue('ns', 'k')).toBe('v');
    reopened.close();
    expect(again).toEqual([]);
    expect(versionRows(file)).toEqual(rows);

    const db = new Database(file);
    try {
      expect(applyMigrations(db, STORE_MIGRATIONS, file)).toEqual({ from: STORE_MIGRATIONS.length, to: STORE_MIGRATIONS.length, applied: [] });
    } finally {
      db.close();
    }
  });

  it('upgrade an older store step by step and keep its data', () => {
    const old = firstVersionStore(file);
    old.prepare(`INSERT INTO kv (namespace, key, value, updated_at) VALUES ('ns', 'k', 'kept', 'now')`).run();
    old.prepare(`INSERT INTO runs (pipeline, mode, "trigger", status, started_at) VALUES ('leads', 'full', 'manual', 'succeeded', 'now')`).run();
    old.close();
    expect(tableNames(file)).not.toContain('webhook_inbox');

    const store = openSqliteStore(file);
    expect(store.schemaVersion()).toBe(STORE_MIGRATIONS.length);
    expect(store.getValue('ns', 'k')).toBe('kept');
    // Runs from before partitions belong to no partition.
    expect(store.listRuns().map((run) => [run.pipeline, run.partition])).toEqual([['leads', '']]);
    expect(store.inboxPut({ connection: 'c', trigger: 't', deliveryId: 'd', body: Buffer.from('{}') }).inserted).toBe(true);
    store.close();
  });

  it('give dead letters written before partitions were recorded on them the partition of their run', () => {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    applyMigrations(db, STORE_MIGRATIONS.filter((m) => m.version <= 3), file);
    const run = db.prepare<[partition: string], number>(
      `INSERT INTO runs (pipeline, mode, "trigger", "partition", status, started_at) VALUES ('leads', 'full', 'manual', ?, 'partial', 'now') RETURNING id`,
    ).pluck();
    const letter = db.prepare<[runId: number, sourceId: string]>(
      `INSERT INTO dead_letters (run_id, pipeline, stream, source_id, record, error_code, error_message, attempts, created_at, updated_at)
       VALUES (?, 'leads', 'contacts', ?, '{}', 'HTTP_422', 'bad', 1, 'now', 'now')`,
    );
    letter.run(run.get('') ?? -1, 'plain');
    letter.run(run.get('loc-a') ?? -1, 'in-a');
    db.close();

    const store = openSqliteStore(file);
    expect(store.schemaVersion()).toBe(STORE_MIGRATIONS.length);
    expect(store.listDeadLetters().map((row) => [row.sourceId, row.partition])).toEqual([
      ['plain', ''],
      ['in-a', 'loc-a'],
    ]);
    expect(store.listDeadLetters({ partition: 'loc-a' }).map((row) => row.sourceId)).toEqual(['in-a']);
    store.close();
  });

  it('roll back a migration that fails half-way and finish it on the next attempt', () => {
    const db = firstVersionStore(file);
    try {
      const broken: Migration = { version: 2, name: 'two tables', up: 'CREATE TABLE half_done (x TEXT); CREATE TABLE broken (;' };
      expect(() => applyMigrations(db, [firstMigration(), broken], file)).toThrow(/syntax error/);
      expect(readSchemaVersion(db)).toBe(1);
      expect(tableNames(file)).not.toContain('half_done');

      const fixed: Migration = { version: 2, name: 'two tables', up: 'CREATE TABLE half_done (x TEXT); CREATE TABLE broken (y TEXT);' };
      expect(applyMigrations(db, [firstMigration(), fixed], file)).toEqual({ from: 1, to: 2, applied: [fixed] });
      expect(tableNames(file)).toEqual(expect.arrayContaining(['half_done', 'broken']));
    } finally {
      db.close();
    }
  });

  it('survive a process killed in the middle of a migration', async () => {
    openSqliteStore(file).close();
    const child = spawnFixture('migrate-until-killed.ts', [file]);
    await waitForLine(child, 'migrating');
    // The filler migration runs for many seconds: once its uncommitted pages spill into the WAL, it is mid-way.
    await until(() => walSize(file) > 2_000_000);
    child.kill('SIGKILL');
    const exit = await waitForExit(child);
    expect(exit.signal).toBe('SIGKILL');

    const store = openSqliteStore(file);
    expect(store.schemaVersion()).toBe(STORE_MIGRATIONS.length);
    store.close();
    expect(tableNames(file)).not.toContain('filler');
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });

  it('are applied once when several processes open a new store at the same time', async () => {
    const racers = ['a', 'b', 'c', 'd'].map((name) => spawnFixture('open-store.ts', [file, name]));
    const exits = await Promise.all(racers.map((child) => waitForExit(child)));
    expect(exits.map((exit) => [exit.code, exit.stderr])).toEqual(racers.map(() => [0, '']));
    expect(versionRows(file).map((row) => row.version)).toEqual(STORE_MIGRATIONS.map((m) => m.version));

    const store = openSqliteStore(file);
    expect(['a', 'b', 'c', 'd'].map((name) => store.getValue('racers', name))).toEqual(['a', 'b', 'c', 'd'].map(() => String(STORE_MIGRATIONS.length)));
    store.close();
  });

  it('refuse a store written by a newer ferry', () => {
    openSqliteStore(file).close();
    const db = new Database(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(99, 'from the future', new Date().toISOString());
    db.close();

    for (const readonly of [false, true]) {
      const error = caught(() => openSqliteStore(file, { readonly }));
      expect(isFerryError(error) && error.code).toBe('STORE_TOO_NEW');
      expect(isFerryError(error) && error.message).toContain('99');
      expect(isFerryError(error) && error.hint).toMatch(/Upgrade ferry/);
    }
    expect(versionRows(file).map((row) => row.version)).toEqual([...STORE_MIGRATIONS.map((m) => m.version), 99]);
  });

  it('must be numbered 1, 2, 3 …', () => {
    const db = new Database(':memory:');
    try {
      const error = caught(() => applyMigrations(db, [{ version: 2, name: 'skips one', up: 'SELECT 1' }], ':memory:'));
      expect(isFerryError(error) && error.code).toBe('STORE_MIGRATIONS_INVALID');
      expect(readSchemaVersion(db)).toBe(0);
    } finally {
      db.close();
    }
  });
});

describe('a read-only store', () => {
  it('reads, refuses writes, and never migrates', () => {
    const writer = openSqliteStore(file);
    writer.setValue('ns', 'k', 'v');
    writer.close();

    const reader = openSqliteStore(file, { readonly: true });
    try {
      expect(reader.getValue('ns', 'k')).toBe('v');
      const error = caught(() => reader.setValue('ns', 'k', 'w'));
      expect(isFerryError(error) && error.code).toBe('STORE_READONLY');
    } finally {
      reader.close();
    }
  });

  it('asks for an upgrade when the store is older than the code', () => {
    firstVersionStore(file).close();
    const error = caught(() => openSqliteStore(file, { readonly: true }));
    expect(isFerryError(error) && error.code).toBe('STORE_NEEDS_UPGRADE');
    expect(versionRows(file).map((row) => row.version)).toEqual([1]);
  });

  it('says so when there is no store', () => {
    const error = caught(() => openSqliteStore(join(dir, 'missing.db'), { readonly: true }));
    expect(isFerryError(error) && error.code).toBe('STORE_NOT_FOUND');
  });
});
