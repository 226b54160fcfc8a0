import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStream, type Page } from '@ferry/core';
import { createTestContext, ferryErrorOf, readAllPages } from '@ferry/core/testing';
import { sqlite } from './sqlite-connector.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-sqlite-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows = sqlite.streams[0];
const upsert = sqlite.actions.find((action) => action.name === 'upsert')!;
const ctxFor = (config: Record<string, unknown>) => createTestContext({ config: { path: 'wh.db', ...config }, baseDir: dir });
const ids = (pages: readonly Page[]): unknown[] => pages.flatMap((page) => page.records.map((record) => record['id']));

beforeAll(async () => {
  const ctx = ctxFor({});
  const source = { connector: 'crm', stream: 'contacts', primaryKey: 'id', schema: { type: 'object', properties: { id: { type: 'string' }, vip: { type: 'boolean' }, tags: { type: 'array' } } } };
  // Inserted out of order: the stream reads in key order whatever the insertion order was.
  const keys = Array.from({ length: 25 }, (_, i) => `c${String((i * 7) % 25).padStart(2, '0')}`);
  await Promise.all(keys.map((id, i) => upsert.run(ctx, { input: { id, vip: i % 2 === 0, tags: [id] }, options: {}, linkedId: undefined, source })));
  const db = new Database(join(dir, 'wh.db'));
  db.exec('CREATE TABLE events (seq INTEGER, body TEXT); INSERT INTO events VALUES (1, \'a\'), (1, \'b\');');
  db.exec('CREATE TABLE people (pid INTEGER PRIMARY KEY, email TEXT UNIQUE, name VARCHAR(20)); INSERT INTO people VALUES (3, \'c@x\', \'C\'), (1, \'a@x\', \'A\'), (2, \'b@x\', \'B\');');
  db.close();
});

describe('sqlite rows stream', () => {
  it('reads the table in key order, in pages, with the JSON types it was written with', async () => {
    const pages = await readAllPages(rows, ctxFor({ table: 'contacts', pageSize: 10 }), { mode: 'full' });
    expect(pages.map((page) => page.records.length)).toEqual([10, 10, 5]);
    expect(ids(pages)).toEqual(Array.from({ length: 25 }, (_, i) => `c${String(i).padStart(2, '0')}`));
    expect(pages[0]?.records[0]).toEqual({ id: 'c00', vip: true, tags: ['c00'] });
    expect(pages.map((page) => page.state)).toEqual([{ after: 'c09' }, { after: 'c19' }, { after: 'c24' }]);
    expect(pages[0]?.total).toBe(25);
  });

  it('resumes after the last key of a page, and picks up rows added since', async () => {
    const ctx = ctxFor({ table: 'contacts', pageSize: 10 });
    const resumed = await readAllPages(rows, ctx, { mode: 'incremental', state: { after: 'c19' } });
    expect(ids(resumed)).toEqual(['c20', 'c21', 'c22', 'c23', 'c24']);
    expect(resumed[0]?.total).toBe(5);
    expect(await readAllPages(rows, ctx, { mode: 'incremental', state: { after: 'c24' } })).toEqual([]);
  });

  it('uses a uniquely indexed column as the key when told to, and reads tables ferry did not create', async () => {
    const config = { table: 'people', primaryKey: 'email', pageSize: 2 };
    expect(resolveStream(rows, config).primaryKey).toBe('email');
    const pages = await readAllPages(rows, ctxFor(config), { mode: 'full' });
    expect(pages.flatMap((page) => page.records)).toEqual([
      { pid: 1, email: 'a@x', name: 'A' },
      { pid: 2, email: 'b@x', name: 'B' },
      { pid: 3, email: 'c@x', name: 'C' },
    ]);
  });

  it('says what to fix when the table, the key column or the file is wrong', async () => {
    const noTable = await ferryErrorOf(readAllPages(rows, ctxFor({ table: 'contact' }), { mode: 'full' }));
    expect(noTable.code).toBe('SQLITE_NO_SUCH_TABLE');
    expect(noTable.message).toContain("did you mean 'contacts'?");
    expect(noTable.hint).toContain('contacts, events, people');
    expect((await ferryErrorOf(readAllPages(rows, ctxFor({ table: 'people' }), { mode: 'full' }))).code).toBe('SQLITE_NO_SUCH_COLUMN');
    const notUnique = await ferryErrorOf(readAllPages(rows, ctxFor({ table: 'events', primaryKey: 'seq' }), { mode: 'full' }));
    expect(notUnique.code).toBe('SQLITE_KEY_NOT_UNIQUE');
    expect((await ferryErrorOf(readAllPages(rows, ctxFor({}), { mode: 'full' }))).code).toBe('SQLITE_NO_TABLE');
    const missing = await ferryErrorOf(readAllPages(rows, ctxFor({ path: 'nowhere.db', table: 'contacts' }), { mode: 'full' }));
    expect(missing.code).toBe('FILE_NOT_FOUND');
    expect(missing.message).toContain(join(dir, 'nowhere.db'));
    expect((await ferryErrorOf(readAllPages(rows, ctxFor({ table: 'contacts' }), { mode: 'full', state: { after: { x: 1 } } }))).code).toBe('STATE_INVALID');
  });
});

describe('reading a database ferry did not create', () => {
  it('leaves its journal mode alone', async () => {
    const file = join(dir, 'theirs.db');
    const db = new Database(file);
    db.exec("CREATE TABLE t (id TEXT PRIMARY KEY); INSERT INTO t VALUES ('a');");
    db.close();
    const pages = await readAllPages(rows, ctxFor({ path: 'theirs.db', table: 't' }), { mode: 'full' });
    expect(pages.flatMap((page) => page.records)).toEqual([{ id: 'a' }]);
    const check = new Database(file, { readonly: true });
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete');
    check.close();
  });
});
