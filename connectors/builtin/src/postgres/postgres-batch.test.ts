import { describe, expect, it } from 'vitest';
import type { ActionBatchItem, ActionDef, ActionRequest, ConnectorContext, JsonRecord } from '@ferry/core';
import { createTestContext } from '@ferry/core/testing';
import { postgres } from './postgres-connector.js';
import { pgTestSchema } from './pg-test-schema.fixture.js';

const pg = pgTestSchema('batch');

function action(name: string): ActionDef {
  const found = postgres.actions.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no action ${name}`);
  return found;
}

const schema = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, visits: { type: 'integer' } } };

let tables = 0;
/** A fresh table per test: the source stream names it. */
function warehouse() {
  tables += 1;
  const table = `contacts_${tables}`;
  const ctx = pg.ctxFor();
  const source = { connector: 'crm', stream: table, schema, primaryKey: 'id' };
  const request = (input: JsonRecord): ActionRequest => ({ input, options: {}, linkedId: undefined, source });
  const qualified = `"${pg.schema}"."${table}"`;
  const count = async (): Promise<number> => (await pg.look<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified}`))[0]?.n ?? -1;
  /** Makes the table note, in each new row, the (top-level) transaction that inserted it. */
  const noteTransactions = () => pg.look(`ALTER TABLE ${qualified} ADD COLUMN inserted_by bigint DEFAULT txid_current()`);
  /** How many transactions inserted the rows. */
  const transactions = async (ids: readonly string[]): Promise<number> =>
    (await pg.look<{ n: number }>(`SELECT count(DISTINCT inserted_by)::int AS n FROM ${qualified} WHERE id = ANY($1)`, [ids]))[0]?.n ?? -1;
  return { ctx, table, qualified, request, count, noteTransactions, transactions };
}

function runBatch(name: string, ctx: ConnectorContext, requests: readonly ActionRequest[]): Promise<readonly ActionBatchItem[]> {
  const found = action(name);
  if (found.runBatch === undefined) throw new Error(`${name} has no runBatch`);
  return found.runBatch(ctx, requests);
}

const outcomes = (answers: readonly ActionBatchItem[]): unknown[] =>
  answers.map((answer) => ('result' in answer ? answer.result.outcome : (answer.error as { code?: string }).code));

describe('postgres runBatch', () => {
  it('answers every request as run would, in order, and a failing request fails alone', async () => {
    const w = warehouse();
    await action('upsert').run(w.ctx, w.request({ id: 'c1', name: 'Ada', visits: 1 }));
    const answers = await runBatch('upsert', w.ctx, [
      w.request({ id: 'c1', name: 'Ada', visits: 1 }),
      w.request({ id: 'c2', name: 'Grace' }),
      w.request({ name: 'no key' }),
      w.request({ id: 'c1', name: 'Ada', visits: 2 }),
      w.request({ id: 'c3', nickname: 'new column' }),
    ]);
    expect(answers).toEqual([
      { result: { outcome: 'unchanged', id: 'c1' } },
      { result: { outcome: 'created', id: 'c2' } },
      { error: expect.objectContaining({ code: 'POSTGRES_MISSING_KEY' }) as unknown },
      { result: { outcome: 'updated', id: 'c1' } },
      { result: { outcome: 'created', id: 'c3' } },
    ]);
    expect(await w.count()).toBe(3);
    expect(await pg.look(`SELECT nickname FROM ${w.qualified} WHERE id = 'c3'`)).toEqual([{ nickname: 'new column' }]);

    const deleted = await runBatch('delete', w.ctx, [w.request({ id: 'c2' }), w.request({ id: 'c9' })]);
    expect(deleted).toEqual([{ result: { outcome: 'deleted', id: 'c2' } }, { result: { outcome: 'unchanged', id: 'c9' } }]);
    expect(await w.count()).toBe(2);
  });

  it('writes the whole batch in one transaction', async () => {
    const w = warehouse();
    await action('upsert').run(w.ctx, w.request({ id: 'seed' }));
    await w.noteTransactions();
    const ids = Array.from({ length: 300 }, (_, index) => `k${index}`);
    const answers = await runBatch('upsert', w.ctx, ids.map((id, index) => w.request({ id, visits: index })));
    expect(answers.every((answer) => 'result' in answer && answer.result.outcome === 'created')).toBe(true);
    expect(await w.count()).toBe(301);
    expect(await w.transactions(ids)).toBe(1);
  });

  it('fails a record its table cannot take alone, and still writes the others in one transaction', async () => {
    const w = warehouse();
    await action('upsert').run(w.ctx, w.request({ id: 'seed', visits: 0 }));
    await w.noteTransactions();
    const ids = ['a', 'b', 'bad1', 'c', 'bad2', 'd'];
    const answers = await runBatch(
      'upsert',
      w.ctx,
      ids.map((id) => w.request({ id, visits: id.startsWith('bad') ? 'not a number' : 1 })),
    );
    expect(outcomes(answers)).toEqual(['created', 'created', 'POSTGRES_BAD_VALUE', 'created', 'POSTGRES_BAD_VALUE', 'created']);
    const failed = answers[2];
    expect(failed !== undefined && 'error' in failed && (failed.error as { details: Record<string, unknown> }).details['systemic']).toBeUndefined();
    expect(await w.count()).toBe(5);
    expect(await w.transactions(['a', 'b', 'c', 'd'])).toBe(1);

    // The same requests one by one settle the same way.
    const single = await Promise.allSettled(['e', 'bad3', 'f'].map((id) => action('upsert').run(w.ctx, w.request({ id, visits: id.startsWith('bad') ? 'x' : 1 }))));
    expect(single.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await w.count()).toBe(7);
  });

  it('fails every request of the batch when its transaction cannot commit, and writes none of them', async () => {
    const w = warehouse();
    await action('upsert').run(w.ctx, w.request({ id: 'seed', name: 'unique-0' }));
    // Checked at COMMIT: two rows of the batch with the same name fail the whole transaction there.
    await pg.look(`ALTER TABLE ${w.qualified} ADD CONSTRAINT ${w.table}_name_once UNIQUE (name) DEFERRABLE INITIALLY DEFERRED`);
    const answers = await runBatch('upsert', w.ctx, ['a', 'b', 'c'].map((id) => w.request({ id, name: id === 'a' ? 'unique-1' : 'same' })));
    expect(outcomes(answers)).toEqual(['POSTGRES_CONSTRAINT', 'POSTGRES_CONSTRAINT', 'POSTGRES_CONSTRAINT']);
    expect(await w.count()).toBe(1);
  });

  it('fails every request with the error run gives when the server cannot be reached', async () => {
    const ctx = createTestContext({ config: { url: 'postgres://postgres@127.0.0.1:1/test', maxConnections: 1 } });
    const source = { connector: 'crm', stream: 'contacts', schema, primaryKey: 'id' };
    const request = (input: JsonRecord): ActionRequest => ({ input, options: {}, linkedId: undefined, source });
    const single = await action('upsert').run(ctx, request({ id: 'a' })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(single).toMatchObject({ code: 'POSTGRES_UNAVAILABLE', details: { systemic: true } });
    const answers = await runBatch('upsert', ctx, [request({ id: 'a' }), request({ id: 'b' })]);
    expect(outcomes(answers)).toEqual(['POSTGRES_UNAVAILABLE', 'POSTGRES_UNAVAILABLE']);
    expect(await runBatch('delete', ctx, [request({ id: 'a' })])).toEqual([{ error: expect.objectContaining({ code: 'POSTGRES_UNAVAILABLE' }) as unknown }]);
  });
});
