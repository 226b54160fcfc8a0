import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { JsonRecord } from '../contract/json-schema.js';
import type { LinkKey, Store } from '../contract/store.js';
import { FerryError } from '../errors/ferry-error.js';
import { openSqliteStore, type SqliteStore } from '../store/index.js';
import {
  connections,
  contacts,
  memoryConnectors,
  memoryContext,
  memorySink,
  memorySource,
  pipelineSpec,
  silentLogger,
  type Sink,
  type SinkOptions,
} from './fixtures/memory-connector.js';
import { checkpointKeyOf, runPipeline } from './index.js';
import type { RunPipelineOptions, RunResult } from './run-types.js';

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function newStore(): SqliteStore {
  const store = openSqliteStore(':memory:');
  stores.push(store);
  return store;
}

/** The store as it is, or without `getLinks` (one `getLink` per record), counting the calls of both. */
function watchedStore(store: Store, batchedLookups: boolean): Store & { lookups: { getLink: number; getLinks: number } } {
  const lookups = { getLink: 0, getLinks: 0 };
  const watched = Object.assign(Object.create(store) as Store, { lookups });
  watched.getLink = (key: LinkKey, pipeline: string) => {
    lookups.getLink += 1;
    return store.getLink(key, pipeline);
  };
  // Without batched look-ups the store has no getLinks at all (an own property hides the prototype's).
  Object.defineProperty(watched, 'getLinks', {
    value: batchedLookups
      ? (keys: readonly LinkKey[], pipeline: string) => {
          lookups.getLinks += 1;
          return store.getLinks?.(keys, pipeline) ?? [];
        }
      : undefined,
  });
  return watched;
}

interface Variant {
  readonly store: ReturnType<typeof watchedStore>;
  readonly sink: Sink;
  run(data: () => readonly JsonRecord[], overrides?: Partial<RunPipelineOptions>): Promise<RunResult>;
}

function variant(options: { batch: boolean; batchedLookups: boolean; pageSize: number; sink?: SinkOptions }): Variant {
  const store = watchedStore(newStore(), options.batchedLookups);
  const sink = memorySink({ ...options.sink, batch: options.batch });
  return {
    store,
    sink,
    run: (data, overrides = {}) => {
      const source = memorySource(data, { pageSize: options.pageSize });
      return runPipeline({
        pipeline: pipelineSpec(),
        registry: memoryConnectors({ source, sink }),
        connections,
        store,
        context: memoryContext,
        log: silentLogger,
        ...overrides,
      });
    },
  };
}

const key = checkpointKeyOf('contacts-sync', 'contacts', 'incremental');
const linkKey = (sourceId: string): LinkKey => ({ sourceConnection: 'src', sourceStream: 'contacts', sourceId, targetConnection: 'dst', targetEntity: 'contacts' });

/** What a run leaves behind, independent of the destination ids it was given. */
function outcome(v: Variant, result: RunResult, ids: readonly number[]) {
  const { durationMs: _duration, ...summary } = result.summary;
  const links = [...new Set(ids)].map((id) => {
    const link = v.store.getLink(linkKey(String(id)), 'contacts-sync');
    return link === undefined ? undefined : { hash: link.hash, content: link.content, row: v.sink.rows.get(link.targetId) };
  });
  // Sorted: a record failing at the destination and one failing validation settle in an order that timing decides.
  const deadLetters = v.store
    .listDeadLetters()
    .map((letter) => `${letter.sourceId ?? ''} ${letter.error.code} ${letter.status}`)
    .sort();
  return { status: result.status, summary, links, deadLetters, checkpoint: v.store.getCheckpoint(key), rows: [...v.sink.rows.values()].map((row) => JSON.stringify(row)).sort() };
}

describe('batched writes and look-ups', () => {
  it('leave exactly what one write and one look-up per record leave, whatever the data and knobs', async () => {
    const names = ['Ada', 'Grace', 'Alan', 'Bad'];
    const record = fc.record({
      id: fc.integer({ min: 1, max: 12 }),
      name: fc.constantFrom(...names),
      email: fc.constantFrom('a@example.com', 'b@example.com', 'not-an-email'),
      tag: fc.constantFrom('lead', 'customer'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 40 }),
        fc.array(record, { maxLength: 40 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        async (first, second, pageSize, batchSize, concurrency, filtered) => {
          const pipeline = pipelineSpec({ batchSize, concurrency, ...(filtered ? { where: "tag = 'lead'" } : {}) });
          const sink: SinkOptions = { fail: (input) => (input['name'] === 'Bad' ? new FerryError('HTTP_VALIDATION', 'rejected') : undefined) };
          const outcomes = [];
          for (const [batch, batchedLookups] of [
            [false, false],
            [true, true],
            [true, false],
            [false, true],
          ] as const) {
            const v = variant({ batch, batchedLookups, pageSize, sink });
            const one = await v.run(() => first, { pipeline });
            const two = await v.run(() => second, { pipeline, mode: 'full' });
            const ids = [...first, ...second].map((r) => r.id);
            outcomes.push([outcome(v, one, ids), outcome(v, two, ids)]);
          }
          for (const other of outcomes.slice(1)) expect(other).toEqual(outcomes[0]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("hands writes to the action's runBatch in groups of at most batchSize", async () => {
    const v = variant({ batch: true, batchedLookups: true, pageSize: 25 });
    const result = await v.run(() => contacts(100), { pipeline: pipelineSpec({ batchSize: 10 }) });
    expect(result.summary).toMatchObject({ read: 100, created: 100 });
    expect(v.sink.batches.reduce((sum, size) => sum + size, 0)).toBe(100);
    expect(Math.max(...v.sink.batches)).toBeLessThanOrEqual(10);
    expect(v.sink.batches.length).toBeLessThan(100);
    expect(v.store.getCheckpoint(key)).toEqual({ offset: 100 });
  });

  it('looks a page up in one store call; no per-record look-ups when the store can batch them', async () => {
    const v = variant({ batch: true, batchedLookups: true, pageSize: 20 });
    await v.run(() => contacts(100));
    v.store.lookups.getLink = 0;
    v.store.lookups.getLinks = 0;
    const again = await v.run(() => contacts(100), { mode: 'full' });
    expect(again.summary).toMatchObject({ read: 100, unchanged: 100 });
    expect(v.store.lookups).toEqual({ getLink: 0, getLinks: 5 });

    const plain = variant({ batch: true, batchedLookups: false, pageSize: 20 });
    await plain.run(() => contacts(100));
    plain.store.lookups.getLink = 0;
    expect((await plain.run(() => contacts(100), { mode: 'full' })).summary).toMatchObject({ unchanged: 100 });
    expect(plain.store.lookups).toEqual({ getLink: 100, getLinks: 0 });
  });

  it('dead-letters each record of a rejected batch and goes on', async () => {
    let calls = 0;
    const v = variant({
      batch: true,
      batchedLookups: true,
      pageSize: 10,
      sink: { failBatch: () => (++calls === 2 ? new FerryError('HTTP_SERVER', 'the API answered 503') : undefined) },
    });
    const result = await v.run(() => contacts(30), { pipeline: pipelineSpec({ batchSize: 10 }) });
    expect(result.status).toBe('partial');
    expect(result.summary).toMatchObject({ created: 20, deadLettered: 10 });
    expect(v.store.listDeadLetters().map((letter) => letter.sourceId)).toEqual(['11', '12', '13', '14', '15', '16', '17', '18', '19', '20']);
    expect(v.store.getCheckpoint(key)).toEqual({ offset: 30 });
  });

  it('stops at the last checkpoint when a batch fails systemically, dead-lettering nothing', async () => {
    let calls = 0;
    const v = variant({
      batch: true,
      batchedLookups: true,
      pageSize: 10,
      sink: { failBatch: () => (++calls === 3 ? new FerryError('AUTH_REVOKED', 'the token was revoked', { hint: 'run `ferry auth dst`' }) : undefined) },
    });
    const result = await v.run(() => contacts(100), { pipeline: pipelineSpec({ batchSize: 10, concurrency: 1 }) });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('AUTH_REVOKED');
    expect(result.summary).toMatchObject({ created: 20, deadLettered: 0 });
    expect(v.store.getCheckpoint(key)).toEqual({ offset: 20 });
  });

  it('writes one record at a time when the pipeline has then steps, or plans without writing', async () => {
    const withSteps = variant({ batch: true, batchedLookups: true, pageSize: 10 });
    const pipeline = pipelineSpec({}, [{ connection: 'dst', action: 'contacts.tags.add', map: { contactId: { expr: '$result.id' } } }]);
    const result = await withSteps.run(() => contacts(12), { pipeline });
    expect(result.summary).toMatchObject({ created: 12 });
    expect(withSteps.sink.batches).toEqual([]);

    const planned = variant({ batch: true, batchedLookups: true, pageSize: 10 });
    const plan = await planned.run(() => contacts(12), { dryRun: true });
    expect(plan.summary).toMatchObject({ created: 12 });
    expect(planned.sink.batches).toEqual([]);
    expect(planned.sink.calls).toEqual([]);
  });
});
