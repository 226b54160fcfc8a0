import { beforeAll, describe, expect, it } from 'vitest';
import { resolveStream, type Page } from '@ferry/core';
import { ferryErrorOf, readAllPages } from '@ferry/core/testing';
import { postgres } from './postgres-connector.js';
import { pgTestSchema } from './pg-test-schema.fixture.js';

const pg = pgTestSchema('rows');
const rows = postgres.streams[0];
const upsert = postgres.actions.find((action) => action.name === 'upsert')!;
const ids = (pages: readonly Page[]): unknown[] => pages.flatMap((page) => page.records.map((record) => record['id']));
const q = (table: string): string => `"${pg.schema}"."${table}"`;

beforeAll(async () => {
  const ctx = pg.ctxFor();
  const source = { connector: 'crm', stream: 'contacts', primaryKey: 'id', schema: { type: 'object', properties: { id: { type: 'string' }, vip: { type: 'boolean' }, tags: { type: 'array' } } } };
  // Inserted out of order: the stream reads in key order whatever the insertion order was.
  const keys = Array.from({ length: 25 }, (_, i) => `c${String((i * 7) % 25).padStart(2, '0')}`);
  await Promise.all(keys.map((id, i) => upsert.run(ctx, { input: { id, vip: i % 2 === 0, tags: [id] }, options: {}, linkedId: undefined, source })));
  await pg.look(`CREATE TABLE ${q('events')} (seq integer, body text); INSERT INTO ${q('events')} VALUES (1, 'a'), (1, 'b')`);
  await pg.look(`CREATE TABLE ${q('people')} (pid bigint PRIMARY KEY, email text UNIQUE, name varchar(20), joined timestamptz, born date, balance numeric(12, 2));
    INSERT INTO ${q('people')} VALUES (3, 'c@x', 'C', '2024-03-01 10:00:00+02', '1990-01-31', 12.5), (1, 'a@x', 'A', NULL, NULL, NULL), (2, 'b@x', 'B', '2024-01-02T03:04:05.678Z', '2000-02-29', 1234567890.12)`);
  await pg.look(`CREATE TABLE ${q('Orders')} (id integer PRIMARY KEY, total double precision); INSERT INTO ${q('Orders')} VALUES (2, 2.5), (1, 1.5)`);
});

describe('postgres rows stream', () => {
  it('reads the table in key order, in pages, with the JSON types it was written with', async () => {
    const pages = await readAllPages(rows, pg.ctxFor({ table: 'contacts', pageSize: 10 }), { mode: 'full' });
    expect(pages.map((page) => page.records.length)).toEqual([10, 10, 5]);
    expect(ids(pages)).toEqual(Array.from({ length: 25 }, (_, i) => `c${String(i).padStart(2, '0')}`));
    expect(pages[0]?.records[0]).toEqual({ id: 'c00', vip: true, tags: ['c00'] });
    expect(pages.map((page) => page.state)).toEqual([{ after: 'c09' }, { after: 'c19' }, { after: 'c24' }]);
    expect(pages[0]?.total).toBe(25);
  });

  it('resumes after the last key of a page, and picks up rows added since', async () => {
    const ctx = pg.ctxFor({ table: 'contacts', pageSize: 10 });
    const resumed = await readAllPages(rows, ctx, { mode: 'incremental', state: { after: 'c19' } });
    expect(ids(resumed)).toEqual(['c20', 'c21', 'c22', 'c23', 'c24']);
    expect(resumed[0]?.total).toBe(5);
    expect(await readAllPages(rows, ctx, { mode: 'incremental', state: { after: 'c24' } })).toEqual([]);
    await pg.look(`INSERT INTO ${q('contacts')} (id) VALUES ('c30')`);
    expect(ids(await readAllPages(rows, ctx, { mode: 'incremental', state: { after: 'c24' } }))).toEqual(['c30']);
  });

  it('uses a uniquely indexed column as the key when told to, and gives plain JSON for the types of tables ferry did not create', async () => {
    const config = { table: 'people', primaryKey: 'email', pageSize: 2 };
    expect(resolveStream(rows, config).primaryKey).toBe('email');
    const pages = await readAllPages(rows, pg.ctxFor(config), { mode: 'full' });
    expect(pages.flatMap((page) => page.records)).toEqual([
      { pid: 1, email: 'a@x', name: 'A', joined: null, born: null, balance: null },
      { pid: 2, email: 'b@x', name: 'B', joined: '2024-01-02T03:04:05.678Z', born: '2000-02-29', balance: '1234567890.12' },
      { pid: 3, email: 'c@x', name: 'C', joined: '2024-03-01T08:00:00.000Z', born: '1990-01-31', balance: '12.50' },
    ]);
    const byNumber = await readAllPages(rows, pg.ctxFor({ table: 'people', primaryKey: 'pid', pageSize: 2 }), { mode: 'incremental', state: { after: 1 } });
    expect(byNumber.flatMap((page) => page.records.map((record) => record['pid']))).toEqual([2, 3]);
  });

  it('finds a table and key column whose case differs from the config', async () => {
    const pages = await readAllPages(rows, pg.ctxFor({ table: 'orders', primaryKey: 'ID' }), { mode: 'full' });
    expect(pages.flatMap((page) => page.records)).toEqual([
      { id: 1, total: 1.5 },
      { id: 2, total: 2.5 },
    ]);
  });

  it('says what to fix when the table, the key column or the state is wrong', async () => {
    const noTable = await ferryErrorOf(readAllPages(rows, pg.ctxFor({ table: 'contact' }), { mode: 'full' }));
    expect(noTable.code).toBe('POSTGRES_NO_SUCH_TABLE');
    expect(noTable.message).toContain("did you mean 'contacts'?");
    expect(noTable.hint).toContain('Orders, contacts, events, people');
    expect((await ferryErrorOf(readAllPages(rows, pg.ctxFor({ table: 'people' }), { mode: 'full' }))).code).toBe('POSTGRES_NO_SUCH_COLUMN');
    const notUnique = await ferryErrorOf(readAllPages(rows, pg.ctxFor({ table: 'events', primaryKey: 'seq' }), { mode: 'full' }));
    expect(notUnique.code).toBe('POSTGRES_KEY_NOT_UNIQUE');
    expect((await ferryErrorOf(readAllPages(rows, pg.ctxFor({}), { mode: 'full' }))).code).toBe('POSTGRES_NO_TABLE');
    expect((await ferryErrorOf(readAllPages(rows, pg.ctxFor({ table: 'contacts' }), { mode: 'full', state: { after: { x: 1 } } }))).code).toBe('STATE_INVALID');
    const empty = await ferryErrorOf(readAllPages(rows, pg.ctxFor({ table: 'contacts', schema: pg.another('empty') }), { mode: 'full' }));
    expect(empty.code).toBe('POSTGRES_NO_SUCH_TABLE');
    expect(empty.hint).toBe('run a pipeline that writes to it first');
  });
});
