import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import type { ActionRequest, ActionResult, JsonRecord } from '@ferry/core';
import { createTestContext, ferryErrorOf } from '@ferry/core/testing';
import { postgres } from './postgres-connector.js';
import { closePostgresWarehouses, ddlLockKey } from './postgres-warehouse.js';
import { pgTestSchema } from './pg-test-schema.fixture.js';

const pg = pgTestSchema('actions');
const upsert = postgres.actions.find((action) => action.name === 'upsert')!;
const remove = postgres.actions.find((action) => action.name === 'delete')!;

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
type Source = ActionRequest['source'];
const contactsOf = (stream: string): Source => ({ connector: 'crm', stream, schema: contactSchema, primaryKey: 'id' });

let tables = 0;
/** A fresh table per test (named in the options), so tests never see each other's rows. */
function warehouse(options: { ctx?: ReturnType<typeof pg.ctxFor>; stream?: string } = {}) {
  tables += 1;
  const ctx = options.ctx ?? pg.ctxFor();
  const source = contactsOf(options.stream ?? `contacts_${tables}`);
  // Streams named by a test make their own table names; the test passes those names where it needs them.
  const table = options.stream === undefined ? `contacts_${tables}` : '';
  const request = (input: JsonRecord, extra: Record<string, unknown> = {}, from: Source = source): ActionRequest => ({ input, options: extra, linkedId: undefined, source: from });
  return {
    table,
    upsert: (input: JsonRecord, extra?: Record<string, unknown>, from?: Source): Promise<ActionResult> => upsert.run(ctx, request(input, extra, from)),
    remove: (input: JsonRecord, extra?: Record<string, unknown>): Promise<ActionResult> => remove.run(ctx, request(input, extra)),
    find: (input: JsonRecord, extra?: Record<string, unknown>) => upsert.find!(ctx, request(input, extra)),
    columns: (name = table) =>
      pg.look<{ name: string; type: string }>(
        'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [pg.schema, name],
      ),
    primaryKey: async (name = table) =>
      (
        await pg.look<{ name: string }>(
          `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
           WHERE i.indrelid = to_regclass($1) AND i.indisprimary`,
          [`"${pg.schema}"."${name.replaceAll('"', '""')}"`],
        )
      ).map((row) => row.name),
    rows: (sql: string) => pg.look(sql.replaceAll('$table', `"${pg.schema}"."${table}"`)),
  };
}

describe('postgres upsert', () => {
  it("creates the table from the source stream's schema with typed columns and the primary key", async () => {
    const w = warehouse();
    expect(await w.upsert({ id: 'c1', name: 'Ada', vip: true })).toEqual({ outcome: 'created', id: 'c1' });
    expect(await w.columns()).toEqual([
      { name: 'id', type: 'text' },
      { name: 'name', type: 'text' },
      { name: 'visits', type: 'bigint' },
      { name: 'score', type: 'double precision' },
      { name: 'vip', type: 'boolean' },
      { name: 'tags', type: 'jsonb' },
      { name: 'address', type: 'jsonb' },
      { name: 'custom field', type: 'text' },
    ]);
    expect(await w.primaryKey()).toEqual(['id']);
  });

  it('reports created, then unchanged for the same values, then updated, and replays without duplicates', async () => {
    const w = warehouse();
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, name: `N${i}`, visits: i, tags: ['a', String(i)], address: { city: 'Lyon', zip: i } }));
    const first = await Promise.all(rows.map((row) => w.upsert(row)));
    expect(first.every((result) => result.outcome === 'created')).toBe(true);
    const replay = await Promise.all(rows.map((row) => w.upsert(row)));
    expect(replay.map((result) => result.outcome)).toEqual(rows.map(() => 'unchanged'));
    // Same object, keys in another order: jsonb compares by value, so nothing changed.
    expect(await w.upsert({ ...rows[4], address: { zip: 4, city: 'Lyon' } })).toEqual({ outcome: 'unchanged', id: 'c4' });
    expect(await w.upsert({ ...rows[3], visits: 99 })).toEqual({ outcome: 'updated', id: 'c3' });
    expect(await w.upsert({ id: 'c5', score: null, name: null })).toEqual({ outcome: 'updated', id: 'c5' });
    expect(await w.upsert({ id: 'c5' })).toEqual({ outcome: 'unchanged', id: 'c5' });
    expect(await w.rows('SELECT count(*)::int AS n FROM $table')).toEqual([{ n: 30 }]);
    expect(await w.rows("SELECT id, visits, tags, address FROM $table WHERE id = 'c3'")).toEqual([{ id: 'c3', visits: 99, tags: ['a', '3'], address: { city: 'Lyon', zip: 3 } }]);
    expect(await w.rows("SELECT name FROM $table WHERE id = 'c5'")).toEqual([{ name: null }]);
  });

  it('adds a column for each mapped field the table does not have yet (the schema grows)', async () => {
    const w = warehouse();
    await w.upsert({ id: 'c1', name: 'Ada' });
    expect(await w.upsert({ id: 'c2', name: 'Grace', nickname: 'Amazing', rank: 2.5, active: false, meta: { a: [1] }, seen: 3, nothing: null })).toMatchObject({ outcome: 'created' });
    expect((await w.columns()).slice(-6)).toEqual([
      { name: 'nickname', type: 'text' },
      { name: 'rank', type: 'double precision' },
      { name: 'active', type: 'boolean' },
      { name: 'meta', type: 'jsonb' },
      { name: 'seen', type: 'bigint' },
      { name: 'nothing', type: 'jsonb' },
    ]);
    expect(await w.find({ id: 'c2' })).toMatchObject({ nickname: 'Amazing', rank: 2.5, active: false, meta: { a: [1] }, seen: 3, name: 'Grace', nothing: null });
    expect(await w.find({ id: 'c1' })).toMatchObject({ name: 'Ada', nickname: null });
    // A jsonb column takes any JSON value later, with its type.
    await w.upsert({ id: 'c3', nothing: 'text now' });
    expect(await w.find({ id: 'c3' })).toMatchObject({ nothing: 'text now' });
  });

  it('gives a reshaped (mapped) record only its own fields, typed from the schema where names match', async () => {
    const w = warehouse();
    await w.upsert({ id: 'c1', full_name: 'Ada L', visits: 3 });
    expect(await w.columns()).toEqual([
      { name: 'id', type: 'text' },
      { name: 'full_name', type: 'text' },
      { name: 'visits', type: 'bigint' },
    ]);
  });

  it('writes to the table and key named in the options; an integer key is a bigint', async () => {
    const w = warehouse();
    const from = { connector: 'csv', stream: `tasks.${tables}`, schema: { type: 'object', properties: { n: { type: 'integer' } } }, primaryKey: 'n' };
    expect(await w.upsert({ n: 7, title: 'call' }, {}, from)).toEqual({ outcome: 'created', id: '7' });
    expect(await pg.look(`SELECT n, title FROM "${pg.schema}"."tasks_${tables}"`)).toEqual([{ n: 7, title: 'call' }]);
    expect(await w.columns(`tasks_${tables}`)).toEqual([
      { name: 'n', type: 'bigint' },
      { name: 'title', type: 'text' },
    ]);
    await w.upsert({ email: 'a@x.io', n: 1 }, { table: `people_${tables}`, primaryKey: 'email' }, from);
    expect(await w.primaryKey(`people_${tables}`)).toEqual(['email']);
    const mismatch = await ferryErrorOf(w.upsert({ n: 'eight' }, {}, from));
    expect(mismatch.code).toBe('POSTGRES_BAD_VALUE');
    expect(mismatch.details['systemic']).toBeUndefined();
  });

  it('fails a record whose value its column cannot take alone (a dead letter, not a stopped run)', async () => {
    const w = warehouse();
    await w.upsert({ id: 'c1', visits: 1, vip: true });
    const error = await ferryErrorOf(w.upsert({ id: 'c2', visits: 'many' }));
    expect(error.code).toBe('POSTGRES_BAD_VALUE');
    expect(error.details['systemic']).toBeUndefined();
    expect(error.hint).toContain("column's type");
    expect(await w.upsert({ id: 'c3', visits: 3 })).toEqual({ outcome: 'created', id: 'c3' });
    expect(await w.rows('SELECT id FROM $table ORDER BY id')).toEqual([{ id: 'c1' }, { id: 'c3' }]);
  });

  it('quotes every name: odd stream and field names become tables and columns exactly as written', async () => {
    const n = tables + 1;
    const w = warehouse({ stream: `Order Items.${n}` });
    const table = `Order_Items_${n}`;
    const odd = { id: 'r1', 'first name': 'Ada', order: 1, select: true, 'a"b': 'quote', Émile: 'é', camelCase: 'C', 'x; DROP TABLE y': 'safe', 'column.with.dots': 2.5 };
    expect(await w.upsert(odd)).toEqual({ outcome: 'created', id: 'r1' });
    expect((await w.columns(table)).map((column) => column.name)).toEqual(['id', 'first name', 'order', 'select', 'a"b', 'Émile', 'camelCase', 'x; DROP TABLE y', 'column.with.dots']);
    expect(await w.find({ id: 'r1' }, { table })).toEqual(odd);
    expect(await w.upsert({ ...odd, 'first name': 'Grace' })).toEqual({ outcome: 'updated', id: 'r1' });
    expect(await pg.look(`SELECT "first name", "a""b" FROM "${pg.schema}"."${table}"`)).toEqual([{ 'first name': 'Grace', 'a"b': 'quote' }]);
    // Case is kept: `Name` and `name` are two columns.
    await w.upsert({ id: 'r2', Name: 'upper', name: 'lower' }, { table });
    expect(await w.find({ id: 'r2' }, { table })).toMatchObject({ Name: 'upper', name: 'lower' });
    const stream = warehouse({ stream: `2024-leads.${n}` });
    await stream.upsert({ id: 'l1' });
    expect((await stream.columns(`_2024_leads_${n}`))[0]).toEqual({ name: 'id', type: 'text' });
  });

  it('refuses names PostgreSQL cannot hold, creating no table and no column, and stops the run', async () => {
    const w = warehouse();
    const table = await ferryErrorOf(w.upsert({ id: 'c1' }, { table: 'x'.repeat(64) }));
    expect(table.code).toBe('POSTGRES_BAD_IDENTIFIER');
    expect(table.details['systemic']).toBe(true);
    const long = 'a'.repeat(64);
    const column = await ferryErrorOf(w.upsert({ id: 'c1', [long]: 'x' }));
    expect(column.code).toBe('POSTGRES_BAD_IDENTIFIER');
    expect(column.hint).toContain(`: '${long}'`);
    expect(await w.columns()).toEqual([]);
    await w.upsert({ id: 'c1', name: 'Ada' });
    expect((await ferryErrorOf(w.upsert({ id: 'c2', xmin: 'system column' }))).code).toBe('POSTGRES_BAD_IDENTIFIER');
    expect((await w.columns()).map((c) => c.name)).not.toContain('xmin');
  });

  it('refuses a record without its key (that record only) and a key that is not the table key (the whole run)', async () => {
    const w = warehouse();
    await w.upsert({ id: 'c1', name: 'Ada' });
    const missing = await ferryErrorOf(w.upsert({ name: 'nobody' }));
    expect(missing.code).toBe('POSTGRES_MISSING_KEY');
    expect(missing.details['systemic']).toBeUndefined();
    const mismatch = await ferryErrorOf(w.upsert({ id: 'c2', email: 'x@y.z' }, { primaryKey: 'email', table: w.table }));
    expect(mismatch.code).toBe('POSTGRES_KEY_MISMATCH');
    expect(mismatch.details['systemic']).toBe(true);
    expect(mismatch.hint).toContain('primaryKey: id');
  });

  it('writes to a table it did not create when the key has a unique index', async () => {
    const w = warehouse();
    await pg.look(`CREATE TABLE "${pg.schema}"."${w.table}" (pid serial PRIMARY KEY, email text UNIQUE NOT NULL, name varchar(20))`);
    expect(await w.upsert({ email: 'a@x', name: 'A' }, { primaryKey: 'email', table: w.table })).toEqual({ outcome: 'created', id: 'a@x' });
    expect(await w.upsert({ email: 'a@x', name: 'B' }, { primaryKey: 'email', table: w.table })).toEqual({ outcome: 'updated', id: 'a@x' });
    expect(await w.rows('SELECT pid, email, name FROM $table')).toEqual([{ pid: 1, email: 'a@x', name: 'B' }]);
    const tooLong = await ferryErrorOf(w.upsert({ email: 'b@x', name: 'x'.repeat(30) }, { primaryKey: 'email', table: w.table }));
    expect(tooLong.code).toBe('POSTGRES_BAD_VALUE');
  });

  it('has committed each row when its promise resolves, and a failing write fails alone', async () => {
    const w = warehouse();
    await w.upsert({ id: 'seed' });
    const writes = Array.from({ length: 60 }, (_, i) =>
      (i === 30 ? w.upsert({ id: 'bad', visits: 'NaN?' }) : w.upsert({ id: `k${i}`, visits: i })).then(
        async (result) => ({ result, seen: await w.rows(`SELECT count(*)::int AS n FROM $table WHERE id = '${result.id ?? ''}'`) }),
        (error: unknown) => ({ error }),
      ),
    );
    const settled = await Promise.all(writes);
    expect(settled[30]).toMatchObject({ error: { code: 'POSTGRES_BAD_VALUE' } });
    const committed = settled.filter((entry) => 'result' in entry);
    expect(committed).toHaveLength(59);
    expect(committed.every((entry) => 'seen' in entry && entry.seen[0]?.['n'] === 1)).toBe(true);
  });

  it('creates and grows one table from two writers at once (two pools, as two processes would)', async () => {
    const first = warehouse();
    const otherProcess = createTestContext({ config: { url: pg.url, schema: pg.schema, maxConnections: 2 } });
    const second = warehouse({ ctx: otherProcess });
    const table = first.table;
    const writes = Array.from({ length: 40 }, (_, i) => {
      const w = i % 2 === 0 ? first : second;
      return w.upsert({ id: `k${i}`, [`extra_${i % 5}`]: i }, { table });
    });
    let results: ActionResult[];
    try {
      results = await Promise.all(writes);
    } finally {
      await closePostgresWarehouses(otherProcess);
    }
    expect(results.every((result) => result.outcome === 'created')).toBe(true);
    expect((await first.columns()).map((column) => column.name)).toEqual(expect.arrayContaining(['extra_0', 'extra_1', 'extra_2', 'extra_3', 'extra_4']));
    expect(await first.rows('SELECT count(*)::int AS n FROM $table')).toEqual([{ n: 40 }]);
  });

  it("waits for another process's change of the same table (its advisory lock) before changing it", async () => {
    const w = warehouse();
    const holder = new Client({ connectionString: pg.url });
    await holder.connect();
    try {
      const key = ddlLockKey(pg.schema, w.table);
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [key]);
      let settled = false;
      const pending = w.upsert({ id: 'a' }).finally(() => (settled = true));
      const waiting = async (): Promise<number> =>
        (
          await pg.look<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1::bigint",
            [key],
          )
        )[0]?.n ?? 0;
      // The writer is queued on the lock (or, without it, has already written: the checks below then fail).
      const deadline = Date.now() + 30_000;
      while (!settled && (await waiting()) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(settled).toBe(false);
      expect(await w.columns()).toEqual([]);
      await holder.query('SELECT pg_advisory_unlock_all()');
      expect(await pending).toEqual({ outcome: 'created', id: 'a' });
    } finally {
      await holder.end();
    }
  });

  it('finds the stored row with its JSON types, without creating anything', async () => {
    const elsewhere = pg.another('find');
    const w = warehouse({ ctx: pg.ctxFor({ schema: elsewhere }) });
    expect(await w.find({ id: 'c1' })).toBeUndefined();
    expect(await pg.look('SELECT 1 FROM pg_namespace WHERE nspname = $1', [elsewhere])).toEqual([]);
    await w.upsert({ id: 'c1', vip: true, tags: ['x'], address: { city: 'Oslo' }, score: null, visits: 12 });
    expect(await w.find({ id: 'c1' })).toEqual({ id: 'c1', name: null, visits: 12, score: null, vip: true, tags: ['x'], address: { city: 'Oslo' }, 'custom field': null });
    expect(await w.find({ id: 'nope' })).toBeUndefined();
    expect(await w.find({ id: 'c1' }, { table: 'other' })).toBeUndefined();
  });
});

describe('postgres delete', () => {
  it('deletes by the record key, then reports unchanged', async () => {
    const w = warehouse();
    expect(await w.remove({ id: 'c1' })).toEqual({ outcome: 'unchanged', id: 'c1' });
    expect(await w.columns()).toEqual([]);
    await w.upsert({ id: 'c1' });
    await w.upsert({ id: 'c2' });
    expect(await w.remove({ id: 'c1' })).toEqual({ outcome: 'deleted', id: 'c1' });
    expect(await w.remove({ id: 'c1' })).toEqual({ outcome: 'unchanged', id: 'c1' });
    expect(await w.remove({ id: 'c9' }, { table: 'no_such_table' })).toEqual({ outcome: 'unchanged', id: 'c9' });
    expect(await w.rows('SELECT id FROM $table')).toEqual([{ id: 'c2' }]);
    expect((await ferryErrorOf(w.remove({ name: 'x' }))).code).toBe('POSTGRES_MISSING_KEY');
  });
});

describe('postgres connection failures', () => {
  const request: ActionRequest = { input: { id: 'x' }, options: {}, linkedId: undefined, source: contactsOf('contacts') };
  const secret = 'pa55-w0rd-never-shown';
  const failureOf = (url: string) => {
    const ctx = createTestContext({ config: { url, schema: pg.schema, maxConnections: 1 } });
    return ferryErrorOf(upsert.run(ctx, request));
  };
  const shown = (error: { message: string; hint: string | undefined; toJSON(): unknown }): string => `${error.message} ${error.hint ?? ''} ${JSON.stringify(error.toJSON())}`;

  it('says the server cannot be reached, without the password, and stops the run', async () => {
    const error = await failureOf(`postgres://postgres:${secret}@127.0.0.1:1/test`);
    expect(error.code).toBe('POSTGRES_UNAVAILABLE');
    expect(error.details['systemic']).toBe(true);
    expect(error.message).toContain('127.0.0.1:1/test');
    expect(error.hint).toContain('url');
    expect(shown(error)).not.toContain(secret);
  });

  it('tells a missing database and an unknown user apart, both systemic', async () => {
    const database = await failureOf(`postgres://postgres:${secret}@127.0.0.1:5432/ferry_no_such_database_${process.pid}`);
    expect(database.code).toBe('POSTGRES_NO_DATABASE');
    expect(database.details['systemic']).toBe(true);
    expect(database.hint).toContain('createdb');
    expect(shown(database)).not.toContain(secret);
    const user = await failureOf(`postgres://ferry_no_such_user:${secret}@127.0.0.1:5432/test`);
    expect(user.code).toBe('POSTGRES_AUTH_FAILED');
    expect(user.details['systemic']).toBe(true);
    expect(shown(user)).not.toContain(secret);
  });

  it('refuses a URL it cannot parse without repeating it', async () => {
    const error = await failureOf(`postgres://postgres:${secret}@127.0.0.1:notaport/test`);
    expect(error.code).toBe('POSTGRES_URL_INVALID');
    expect(shown(error)).not.toContain(secret);
    expect(error.cause).toBeUndefined();
  });
});
