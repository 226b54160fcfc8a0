import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActionRequest, ActionResult, JsonRecord } from '@ferry/core';
import { createTestContext, ferryErrorOf } from '@ferry/core/testing';
import { sqlite } from './sqlite-connector.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let databases = 0;

const upsert = sqlite.actions.find((action) => action.name === 'upsert')!;
const remove = sqlite.actions.find((action) => action.name === 'delete')!;

const contactSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    visits: { type: 'integer' },
    score: { type: ['number', 'null'] },
    vip: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    address: { type: 'object' },
    'custom field': { type: 'string' },
  },
};
const source = { connector: 'crm', stream: 'contacts', schema: contactSchema, primaryKey: 'id' } as const;

/** A fresh warehouse file per test, and a second connection to look at it as another process would. */
function warehouse() {
  databases += 1;
  const path = `wh${databases}/warehouse.db`;
  const ctx = createTestContext({ config: { path }, baseDir: dir });
  const file = join(dir, path);
  const request = (input: JsonRecord, options: Record<string, unknown> = {}, from: ActionRequest['source'] = source): ActionRequest => ({
    input,
    options,
    linkedId: undefined,
    source: from,
  });
  return {
    ctx,
    file,
    upsert: (input: JsonRecord, options?: Record<string, unknown>, from?: ActionRequest['source']): Promise<ActionResult> => upsert.run(ctx, request(input, options, from)),
    remove: (input: JsonRecord, options?: Record<string, unknown>): Promise<ActionResult> => remove.run(ctx, request(input, options)),
    find: (input: JsonRecord, options?: Record<string, unknown>) => upsert.find!(ctx, request(input, options)),
    look<T>(sql: string): T[] {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(sql).all() as T[];
      } finally {
        db.close();
      }
    },
  };
}

describe('sqlite upsert', () => {
  it("creates the table from the source stream's schema with typed columns and the primary key", async () => {
    const w = warehouse();
    expect(await w.upsert({ id: 'c1', name: 'Ada', vip: true })).toEqual({ outcome: 'created', id: 'c1' });
    const columns = w.look<{ name: string; type: string; pk: number }>('PRAGMA table_info(contacts)');
    expect(columns.map(({ name, type, pk }) => [name, type, pk])).toEqual([
      ['id', 'TEXT', 1],
      ['name', 'TEXT', 0],
      ['visits', 'INTEGER', 0],
      ['score', 'REAL', 0],
      ['vip', 'INTEGER', 0],
      ['tags', 'TEXT', 0],
      ['address', 'TEXT', 0],
    ]);
    expect(w.look('SELECT journal_mode FROM pragma_journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it('reports created, then unchanged for the same values, then updated, and replays without duplicates', async () => {
    const w = warehouse();
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, name: `N${i}`, visits: i, tags: ['a', String(i)], address: { city: 'Lyon' } }));
    const first = await Promise.all(rows.map((row) => w.upsert(row)));
    expect(first.every((result) => result.outcome === 'created')).toBe(true);
    const replay = await Promise.all(rows.map((row) => w.upsert(row)));
    expect(replay.map((result) => result.outcome)).toEqual(rows.map(() => 'unchanged'));
    expect(await w.upsert({ ...rows[3], visits: 99 })).toEqual({ outcome: 'updated', id: 'c3' });
    expect(w.look<{ n: number }>('SELECT count(*) AS n FROM contacts')).toEqual([{ n: 30 }]);
    expect(w.look('SELECT id, visits, tags, address FROM contacts WHERE id = \'c3\'')).toEqual([{ id: 'c3', visits: 99, tags: '["a","3"]', address: '{"city":"Lyon"}' }]);
  });

  it('adds a column for a mapped field the table does not have yet', async () => {
    const w = warehouse();
    await w.upsert({ id: 'c1', name: 'Ada' });
    expect(await w.upsert({ id: 'c2', name: 'Grace', nickname: 'Amazing', rank: 2.5, active: false })).toMatchObject({ outcome: 'created' });
    const columns = w.look<{ name: string; type: string }>('PRAGMA table_info(contacts)');
    expect(columns.slice(-3)).toMatchObject([
      { name: 'nickname', type: 'TEXT' },
      { name: 'rank', type: 'REAL' },
      { name: 'active', type: 'INTEGER' },
    ]);
    expect(await w.find({ id: 'c2' })).toMatchObject({ nickname: 'Amazing', active: false, name: 'Grace' });
  });

  it('gives a reshaped (mapped) record only its own fields, typed from the schema where names match', async () => {
    const w = warehouse();
    await w.upsert({ id: 'c1', full_name: 'Ada L', visits: 3 });
    const columns = w.look<{ name: string; type: string }>('PRAGMA table_info(contacts)');
    expect(columns.map(({ name, type }) => `${name} ${type}`)).toEqual(['id TEXT', 'full_name TEXT', 'visits INTEGER']);
  });

  it('writes to the table and key named in the options, and an integer key becomes the rowid', async () => {
    const w = warehouse();
    const from = { connector: 'csv', stream: 'contacts.tasks', schema: { type: 'object', properties: { n: { type: 'integer' } } }, primaryKey: 'n' };
    expect(await w.upsert({ n: 7, title: 'call' }, {}, from)).toEqual({ outcome: 'created', id: '7' });
    expect(w.look('SELECT n, title FROM contacts_tasks')).toEqual([{ n: 7, title: 'call' }]);
    await w.upsert({ email: 'a@x.io', n: 1 }, { table: 'people', primaryKey: 'email' }, from);
    expect(w.look<{ name: string; pk: number }>('PRAGMA table_info(people)').find((c) => c.pk === 1)?.name).toBe('email');
    const mismatch = await ferryErrorOf(w.upsert({ n: 'eight' }, {}, from));
    expect(mismatch.code).toBe('SQLITE_TYPE_MISMATCH');
  });

  it('refuses names that are not plain identifiers, creating no table and no column', async () => {
    const w = warehouse();
    const table = await ferryErrorOf(w.upsert({ id: 'c1' }, { table: 'my table' }));
    expect(table.code).toBe('SQLITE_BAD_IDENTIFIER');
    expect(table.details['systemic']).toBe(true);
    expect(existsSync(w.file)).toBe(false);
    const column = await ferryErrorOf(w.upsert({ id: 'c1', 'first name': 'Ada' }));
    expect(column.code).toBe('SQLITE_BAD_IDENTIFIER');
    expect(column.hint).toContain("first_name: 'first name'");
    expect(w.look("SELECT name FROM sqlite_master WHERE name = 'contacts'")).toEqual([]);
    await w.upsert({ id: 'c1', name: 'Ada' });
    expect((await ferryErrorOf(w.upsert({ id: 'c2', 'last-name': 'L' }))).code).toBe('SQLITE_BAD_IDENTIFIER');
    expect(w.look<{ name: string }>('PRAGMA table_info(contacts)').map((c) => c.name)).not.toContain('last-name');
  });

  it('refuses a record without its key (that record only) and a key that is not the table key (the whole run)', async () => {
    const w = warehouse();
    await w.upsert({ id: 'c1', name: 'Ada' });
    const missing = await ferryErrorOf(w.upsert({ name: 'nobody' }));
    expect(missing.code).toBe('SQLITE_MISSING_KEY');
    expect(missing.details['systemic']).toBeUndefined();
    const mismatch = await ferryErrorOf(w.upsert({ id: 'c2', email: 'x@y.z' }, { primaryKey: 'email' }));
    expect(mismatch.code).toBe('SQLITE_KEY_MISMATCH');
    expect(mismatch.hint).toContain('primaryKey: id');
  });

  it('has committed each row when its promise resolves (group commit), and a failing write fails alone', async () => {
    const w = warehouse();
    const reader = () => new Database(w.file, { readonly: true, fileMustExist: true });
    await w.upsert({ id: 'seed' });
    const db = reader();
    const visible = db.prepare('SELECT count(*) FROM contacts WHERE id = ?').pluck();
    try {
      const writes = Array.from({ length: 300 }, (_, i) =>
        (i === 150 ? w.upsert({ name: 'no key' }) : w.upsert({ id: `k${i}`, visits: i })).then(
          (result) => ({ result, seenByAnotherConnection: visible.get(result.id) }),
          (error: unknown) => ({ error }),
        ),
      );
      const settled = await Promise.all(writes);
      expect(settled[150]).toMatchObject({ error: { code: 'SQLITE_MISSING_KEY' } });
      const committed = settled.filter((entry) => 'result' in entry);
      expect(committed).toHaveLength(299);
      expect(committed.every((entry) => entry.seenByAnotherConnection === 1)).toBe(true);
    } finally {
      db.close();
    }
  });

  it('finds the stored row with its JSON types, without creating anything', async () => {
    const w = warehouse();
    expect(await w.find({ id: 'c1' })).toBeUndefined();
    expect(existsSync(w.file)).toBe(false);
    await w.upsert({ id: 'c1', vip: true, tags: ['x'], address: { city: 'Oslo' }, score: null });
    expect(await w.find({ id: 'c1' })).toEqual({ id: 'c1', name: null, visits: null, score: null, vip: true, tags: ['x'], address: { city: 'Oslo' } });
    expect(await w.find({ id: 'nope' })).toBeUndefined();
    expect(await w.find({ id: 'c1' }, { table: 'other' })).toBeUndefined();
  });

  it('says what is wrong with a file that is not a SQLite database', async () => {
    const path = join(dir, 'not-a-db.db');
    writeFileSync(path, 'this is not a database, just text that is long enough to have a header '.repeat(4));
    const ctx = createTestContext({ config: { path: 'not-a-db.db' }, baseDir: dir });
    const error = await ferryErrorOf(upsert.run(ctx, { input: { id: 'x' }, options: {}, linkedId: undefined, source }));
    expect(error.code).toBe('SQLITE_CORRUPT');
    expect(error.details['systemic']).toBe(true);
    expect(error.message).toContain(path);
  });
});

describe('sqlite delete', () => {
  it('deletes by the record key, then reports unchanged', async () => {
    const w = warehouse();
    expect(await w.remove({ id: 'c1' })).toEqual({ outcome: 'unchanged', id: 'c1' });
    expect(existsSync(w.file)).toBe(false);
    await w.upsert({ id: 'c1' });
    await w.upsert({ id: 'c2' });
    expect(await w.remove({ id: 'c1' })).toEqual({ outcome: 'deleted', id: 'c1' });
    expect(await w.remove({ id: 'c1' })).toEqual({ outcome: 'unchanged', id: 'c1' });
    expect(await w.remove({ id: 'c9' }, { table: 'no_such_table' })).toEqual({ outcome: 'unchanged', id: 'c9' });
    expect(w.look('SELECT id FROM contacts')).toEqual([{ id: 'c2' }]);
    expect((await ferryErrorOf(w.remove({ name: 'x' }))).code).toBe('SQLITE_MISSING_KEY');
  });
});
