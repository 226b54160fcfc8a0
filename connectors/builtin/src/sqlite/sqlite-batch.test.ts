import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActionBatchItem, ActionDef, ActionRequest, JsonRecord } from '@ferry/core';
import { createTestContext } from '@ferry/core/testing';
import { sqlite } from './sqlite-connector.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-sqlite-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function action(name: string): ActionDef {
  const found = sqlite.actions.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no action ${name}`);
  return found;
}

const source = {
  connector: 'crm',
  stream: 'contacts',
  schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, visits: { type: 'integer' } } },
  primaryKey: 'id',
} as const;

let files = 0;
function warehouse() {
  files += 1;
  const path = `batch${files}.db`;
  const ctx = createTestContext({ config: { path }, baseDir: dir });
  const request = (input: JsonRecord): ActionRequest => ({ input, options: {}, linkedId: undefined, source });
  const count = (): number => {
    const db = new Database(join(dir, path), { readonly: true, fileMustExist: true });
    try {
      return Number(db.prepare('SELECT count(*) FROM contacts').pluck().get());
    } finally {
      db.close();
    }
  };
  return { ctx, request, count };
}

function runBatch(name: string, ctx: ReturnType<typeof warehouse>['ctx'], requests: readonly ActionRequest[]): Promise<readonly ActionBatchItem[]> {
  const found = action(name);
  if (found.runBatch === undefined) throw new Error(`${name} has no runBatch`);
  return found.runBatch(ctx, requests);
}

describe('sqlite runBatch', () => {
  it('answers every request as run would, in order, and a failing request fails alone', async () => {
    const w = warehouse();
    await action('upsert').run(w.ctx, w.request({ id: 'c1', name: 'Ada', visits: 1 }));
    const answers = await runBatch('upsert', w.ctx, [
      w.request({ id: 'c1', name: 'Ada', visits: 1 }),
      w.request({ id: 'c2', name: 'Grace' }),
      w.request({ name: 'no key' }),
      w.request({ id: 'c1', name: 'Ada', visits: 2 }),
    ]);
    expect(answers).toEqual([
      { result: { outcome: 'unchanged', id: 'c1' } },
      { result: { outcome: 'created', id: 'c2' } },
      { error: expect.objectContaining({ code: 'SQLITE_MISSING_KEY' }) as unknown },
      { result: { outcome: 'updated', id: 'c1' } },
    ]);
    expect(w.count()).toBe(2);

    const deleted = await runBatch('delete', w.ctx, [w.request({ id: 'c2' }), w.request({ id: 'c9' })]);
    expect(deleted).toEqual([{ result: { outcome: 'deleted', id: 'c2' } }, { result: { outcome: 'unchanged', id: 'c9' } }]);
    expect(w.count()).toBe(1);
  });

  it('writes the whole batch in one transaction and resolves only once it is committed', async () => {
    const w = warehouse();
    await action('upsert').run(w.ctx, w.request({ id: 'seed' }));
    const requests = Array.from({ length: 500 }, (_, index) => w.request({ id: `k${index}`, visits: index }));
    const pending = runBatch('upsert', w.ctx, requests);
    // Written but not yet committed: another connection sees none of the batch…
    expect(w.count()).toBe(1);
    const answers = await pending;
    // …and all of it once the batch is acknowledged.
    expect(w.count()).toBe(501);
    expect(answers.every((answer) => 'result' in answer && answer.result.outcome === 'created')).toBe(true);
  });

  it('answers as single writes would when a failure rolls the whole transaction back', async () => {
    const w = warehouse();
    await action('upsert').run(w.ctx, w.request({ id: 'seed' }));
    const db = new Database(join(dir, `batch${files}.db`));
    db.exec("CREATE TRIGGER boom BEFORE INSERT ON contacts WHEN NEW.id = 'boom' BEGIN SELECT RAISE(ROLLBACK, 'boom'); END");
    db.close();
    const ids = ['a', 'b', 'boom', 'c', 'd'];
    const answers = await runBatch('upsert', w.ctx, ids.map((id) => w.request({ id })));
    // a and b were in the transaction that `boom` rolled back; c and d went into the next one.
    expect(answers.map((answer) => ('result' in answer ? answer.result.outcome : (answer.error as { code?: string }).code))).toEqual([
      'SQLITE_CONSTRAINT',
      'SQLITE_CONSTRAINT',
      'SQLITE_CONSTRAINT',
      'created',
      'created',
    ]);
    expect(w.count()).toBe(3);

    // The same requests one by one, all in flight at once, settle the same way.
    const single = await Promise.allSettled(['e', 'f', 'boom', 'g'].map((id) => action('upsert').run(w.ctx, w.request({ id }))));
    expect(single.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled']);
    expect(w.count()).toBe(4);
  });

  it('fails every request with the error run gives when the file cannot be opened', async () => {
    writeFileSync(join(dir, 'a-file'), 'not a directory');
    const ctx = createTestContext({ config: { path: 'a-file/w.db' }, baseDir: dir });
    const request = (input: JsonRecord): ActionRequest => ({ input, options: {}, linkedId: undefined, source });
    const single = await action('upsert').run(ctx, request({ id: 'a' })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(single).toMatchObject({ code: expect.any(String) as unknown });
    const answers = await runBatch('upsert', ctx, [request({ id: 'a' }), request({ id: 'b' })]);
    expect(answers).toEqual([{ error: single }, { error: single }]);
  });
});
