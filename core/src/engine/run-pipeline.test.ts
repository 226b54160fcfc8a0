import { afterEach, describe, expect, it } from 'vitest';
import type { JsonRecord } from '../contract/json-schema.js';
import type { BatchCommit, Store } from '../contract/store.js';
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
  type SourceOptions,
} from './fixtures/memory-connector.js';
import { checkpointKeyOf, replayDeadLetters, runPipeline } from './index.js';
import type { PlanEntry, RunPipelineOptions } from './run-types.js';

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function newStore(): SqliteStore {
  const store = openSqliteStore(':memory:');
  stores.push(store);
  return store;
}

interface Setup {
  store: Store;
  sink: Sink;
  tagSink: Sink;
  source: ReturnType<typeof memorySource>;
  options(overrides?: Partial<RunPipelineOptions> & { ids?: readonly number[] }): RunPipelineOptions & { ids?: readonly number[] };
}

function setup(records: JsonRecord[] | (() => JsonRecord[]), config: { source?: SourceOptions; sink?: Sink; store?: Store } = {}): Setup {
  const store = config.store ?? newStore();
  const sink = config.sink ?? memorySink();
  const tagSink = memorySink();
  const source = memorySource(records, config.source);
  const registry = memoryConnectors({ source, sink, tagSink });
  return {
    store,
    sink,
    tagSink,
    source,
    options: (overrides = {}) => ({
      pipeline: pipelineSpec(),
      registry,
      connections,
      store,
      context: memoryContext,
      log: silentLogger,
      ...overrides,
    }),
  };
}

const key = checkpointKeyOf('contacts-sync', 'contacts', 'incremental');

describe('runPipeline', () => {
  it('writes every record, links it, and moves the checkpoint to the end', async () => {
    const run = setup(contacts(25));
    const result = await runPipeline(run.options());
    expect(result.status).toBe('succeeded');
    expect(result.summary).toMatchObject({ read: 25, created: 25, updated: 0, unchanged: 0, skipped: 0, deadLettered: 0 });
    expect(run.sink.calls).toHaveLength(25);
    expect(run.sink.calls[0]?.input).toEqual({ name: 'Person 1', email: 'person1@example.com' });
    expect(run.store.getCheckpoint(key)).toEqual({ offset: 25 });
    const link = run.store.getLink(
      { sourceConnection: 'src', sourceStream: 'contacts', sourceId: '7', targetConnection: 'dst', targetEntity: 'contacts' },
      'contacts-sync',
    );
    expect(link?.targetId).toMatch(/^t\d+$/);
    expect(link?.content).toEqual({ name: 'Person 7', email: 'person7@example.com' });
    const [row] = run.store.listRuns({ pipeline: 'contacts-sync' });
    expect(row).toMatchObject({ id: result.runId, status: 'succeeded', mode: 'incremental', trigger: 'manual' });
    expect(row?.summary?.created).toBe(25);
  });

  it('skips what the link table says is unchanged: a second full run calls the action zero times', async () => {
    const data = contacts(30);
    const run = setup(data);
    await runPipeline(run.options());
    const callsAfterFirst = run.sink.calls.length;
    const second = await runPipeline(run.options({ mode: 'full' }));
    expect(run.sink.calls.length).toBe(callsAfterFirst);
    expect(second.summary).toMatchObject({ read: 30, unchanged: 30, created: 0, updated: 0 });

    // One changed record is updated in place, with the id the link table remembers.
    const firstTarget = run.sink.calls.find((call) => call.input['name'] === 'Person 4');
    data[3] = { ...data[3], name: 'Person Four' };
    const third = await runPipeline(run.options({ mode: 'full' }));
    expect(third.summary).toMatchObject({ read: 30, unchanged: 29, updated: 1 });
    const update = run.sink.calls.at(-1);
    expect(update?.input['name']).toBe('Person Four');
    expect(update?.linkedId).toBeDefined();
    expect(firstTarget).toBeDefined();
  });

  it('resumes an incremental sync from its checkpoint and reads only what is new', async () => {
    const data = contacts(20);
    const run = setup(() => data);
    await runPipeline(run.options());
    data.push(...contacts(5, 21));
    const result = await runPipeline(run.options());
    expect(run.source.reads.at(-1)?.state).toEqual({ offset: 20 });
    expect(result.summary).toMatchObject({ read: 5, created: 5 });
    expect(run.store.getCheckpoint(key)).toEqual({ offset: 25 });
  });

  it('filters with where (skipped) and dead-letters records the destination rejects, then goes on', async () => {
    const sink = memorySink({
      fail: (input) =>
        input['name'] === 'Person 5' ? new FerryError('HTTP_VALIDATION', 'email is taken', { hint: 'fix the email', details: { attempts: 1 } }) : undefined,
    });
    const run = setup(contacts(12), { sink });
    const result = await runPipeline(run.options({ pipeline: pipelineSpec({ where: "tag = 'lead'" }) }));
    // ids 3, 6, 9, 12 are customers → skipped; 5 fails.
    expect(result.status).toBe('partial');
    expect(result.summary).toMatchObject({ read: 12, skipped: 4, created: 7, deadLettered: 1 });
    const [letter] = run.store.listDeadLetters({ pipeline: 'contacts-sync' });
    expect(letter).toMatchObject({ sourceId: '5', status: 'open', error: { code: 'HTTP_VALIDATION', message: 'email is taken', hint: 'fix the email' } });
    expect(letter?.record).toMatchObject({ id: 5, name: 'Person 5' });
    // Dead letters are acknowledged: the checkpoint covers them.
    expect(run.store.getCheckpoint(key)).toEqual({ offset: 12 });
  });

  it('dead-letters records whose mapped input breaks the action schema, naming the field', async () => {
    const records = contacts(3);
    records[1] = { id: 2, name: 'Bad Email', email: 'not-an-email' };
    const run = setup(records);
    const result = await runPipeline(run.options());
    expect(result.summary).toMatchObject({ created: 2, deadLettered: 1 });
    const [letter] = run.store.listDeadLetters();
    expect(letter?.error.code).toBe('INPUT_INVALID');
    expect(letter?.error.message).toContain("'email'");
    expect(run.sink.calls).toHaveLength(2);
  });

  it('dead-letters a record whose value cannot be converted (MAP_FAILED)', async () => {
    const records = contacts(3).map((record) => ({ ...record, phone: record['id'] === 2 ? 'call me' : '+1 415 555 0100' }));
    const run = setup(records);
    const pipeline = pipelineSpec({ map: { name: 'name', phone: { from: 'phone', convert: 'phone-e164' } } });
    const result = await runPipeline(run.options({ pipeline }));
    expect(result.summary).toMatchObject({ created: 2, deadLettered: 1 });
    const [letter] = run.store.listDeadLetters();
    expect(letter).toMatchObject({ sourceId: '2', error: { code: 'MAP_FAILED' } });
    expect(run.sink.calls[0]?.input).toEqual({ name: 'Person 1', phone: '+14155550100' });
  });

  it('runs JSONata maps and filters (asynchronous) with the same results, dedupe and ordered checkpoints', async () => {
    const run = setup(contacts(40), { sink: memorySink({ delay: (input) => (String(input['name']).length % 3) * 2 }) });
    const pipeline = pipelineSpec({
      where: "$substring(tag, 0, 1) = 'l'",
      map: { name: { expr: '$uppercase(name)' }, email: 'email', tag: { expr: "tag & '-' & $string($params.suffix)" } },
      from: { connection: 'src', stream: 'contacts', sync: 'incremental', params: { suffix: 'x' } },
      concurrency: 6,
    });
    const result = await runPipeline(run.options({ pipeline }));
    expect(result.status).toBe('succeeded');
    expect(result.summary).toMatchObject({ read: 40, skipped: 13, created: 27 });
    expect(run.sink.calls.find((call) => call.input['email'] === 'person1@example.com')?.input).toEqual({
      name: 'PERSON 1',
      email: 'person1@example.com',
      tag: 'lead-x',
    });
    expect(run.store.getCheckpoint(key)).toEqual({ offset: 40 });
    const again = await runPipeline(run.options({ pipeline, mode: 'full' }));
    expect(again.summary).toMatchObject({ read: 40, skipped: 13, unchanged: 27, created: 0 });
  });

  it('dead-letters a failing JSONata map without letting its rejection escape, whatever the queue length', async () => {
    const records = contacts(60).map((record) => ({ ...record, phone: record['id'] === 41 ? 'call me' : '+1 415 555 0100' }));
    const run = setup(records, { sink: memorySink({ delay: 2 }) });
    const pipeline = pipelineSpec({
      map: { name: { expr: '$uppercase(name)' }, phone: { from: 'phone', convert: 'phone-e164' } },
      concurrency: 1,
    });
    const result = await runPipeline(run.options({ pipeline }));
    expect(result.status).toBe('partial');
    expect(result.summary).toMatchObject({ created: 59, deadLettered: 1 });
    expect(run.store.listDeadLetters()[0]).toMatchObject({ sourceId: '41', error: { code: 'MAP_FAILED' } });
  });

  it('wraps an unexpected connector throw as CONNECTOR_ERROR and keeps running', async () => {
    const sink = memorySink({ fail: (input) => (input['name'] === 'Person 2' ? new TypeError('cannot read x of undefined') : undefined) });
    const run = setup(contacts(4), { sink });
    const result = await runPipeline(run.options());
    expect(result.summary).toMatchObject({ created: 3, deadLettered: 1 });
    const [letter] = run.store.listDeadLetters();
    expect(letter?.error.code).toBe('CONNECTOR_ERROR');
    expect(letter?.error.message).toContain('cannot read x of undefined');
  });

  it('stops cleanly on a systemic error: no further reads, acknowledged work committed, status failed', async () => {
    let calls = 0;
    const sink = memorySink({
      fail: () => {
        calls += 1;
        return calls > 23 ? new FerryError('AUTH_REVOKED', 'the refresh token was revoked', { hint: 'run `ferry auth dst`' }) : undefined;
      },
    });
    const run = setup(contacts(1000), { sink });
    const result = await runPipeline(run.options({ pipeline: pipelineSpec({ concurrency: 1 }) }));
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('AUTH_REVOKED');
    expect(result.error?.hint).toBe('run `ferry auth dst`');
    expect(result.summary.deadLettered).toBe(0);
    expect(result.summary.created).toBe(23);
    expect(result.summary.read).toBeLessThan(1000);
    // 23 acknowledged: the checkpoint is at the last full page they cover, never past record 24.
    expect(run.store.getCheckpoint(key)).toEqual({ offset: 20 });
    expect(run.store.listRuns()[0]).toMatchObject({ status: 'failed' });
    expect(run.store.listRuns()[0]?.error).toContain('AUTH_REVOKED');
  });

  it('treats errors flagged systemic by the HTTP client as systemic whatever their code', async () => {
    const flagged = Object.assign(new FerryError('HTTP_FORBIDDEN', 'location mismatch'), { systemic: true });
    const run = setup(contacts(10), { sink: memorySink({ fail: () => flagged }) });
    const result = await runPipeline(run.options());
    expect(result.status).toBe('failed');
    expect(result.summary.deadLettered).toBe(0);
  });

  it('fails the run (not a crash) when the source fails mid-way, keeping what was acknowledged', async () => {
    const run = setup(contacts(50), { source: { failAtPage: 3 } });
    const result = await runPipeline(run.options());
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('HTTP_SERVER');
    expect(result.summary.created).toBe(30);
    expect(run.store.getCheckpoint(key)).toEqual({ offset: 30 });
  });

  it('fails cleanly when the store cannot commit (disk full), keeping the last good checkpoint', async () => {
    const store = newStore();
    let commits = 0;
    const failing: Store = Object.create(store) as Store;
    failing.commitBatch = (batch: BatchCommit) => {
      commits += 1;
      if (commits > 2) throw new FerryError('STORE_DISK_FULL', 'the disk is full', { hint: 'free some space' });
      store.commitBatch(batch);
    };
    const run = setup(contacts(100), { store: failing });
    const result = await runPipeline(run.options({ pipeline: pipelineSpec({ batchSize: 10 }) }));
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('STORE_DISK_FULL');
    expect(store.listRuns()[0]).toMatchObject({ status: 'failed' });
    const offset = store.getCheckpoint(key)?.['offset'];
    expect(offset).toBeLessThanOrEqual(20);
  });

  it('stops gracefully on abort: finishes in-flight records, commits, resolves stopped; the next run finishes the job', async () => {
    const controller = new AbortController();
    const sink = memorySink({ delay: 1 });
    const run = setup(contacts(2000), { sink });
    const original = sink.options.fail;
    sink.options.fail = (input, request) => {
      if (sink.calls.length === 60) controller.abort();
      return original?.(input, request);
    };
    const result = await runPipeline(run.options({ signal: controller.signal }));
    expect(result.status).toBe('stopped');
    expect(result.summary.read).toBeLessThan(2000);
    // Records read but not started when the stop came are left for the next run.
    expect(sink.calls.length).toBeLessThan(100);
    // Every call that started finished (no dead letters from the stop) and was counted.
    expect(result.summary.deadLettered).toBe(0);
    expect(result.summary.created).toBe(sink.completed.length);
    const checkpoint = run.store.getCheckpoint(key);
    const offset = checkpoint?.['offset'];
    expect(typeof offset).toBe('number');
    // The checkpoint never passes a record that was not written.
    const written = new Set(sink.completed.map((input) => input['name']));
    for (let id = 1; id <= Number(offset); id += 1) expect(written.has(`Person ${id}`)).toBe(true);

    const resumed = await runPipeline(run.options());
    expect(resumed.status).toBe('succeeded');
    expect(run.store.getCheckpoint(key)).toEqual({ offset: 2000 });
    // Each record reached the destination exactly once: the replayed tail was recognised as unchanged.
    const names = sink.completed.map((input) => input['name']);
    expect(new Set(names).size).toBe(2000);
    expect(names.length).toBe(2000);
  });

  it('does not dead-letter calls aborted by the stop itself (an HTTP client sharing the signal)', async () => {
    const controller = new AbortController();
    const sink = memorySink({ delay: 2 });
    sink.options.fail = () => {
      if (sink.calls.length === 30) controller.abort(new Error('interrupted by SIGINT'));
      return controller.signal.aborted ? controller.signal.reason : undefined;
    };
    const run = setup(contacts(500), { sink });
    const result = await runPipeline(run.options({ signal: controller.signal }));
    expect(result.status).toBe('stopped');
    expect(result.summary.deadLettered).toBe(0);
    expect(run.store.listDeadLetters()).toHaveLength(0);
    const offset = Number(run.store.getCheckpoint(key)?.['offset'] ?? 0);
    const written = new Set(sink.completed.map((input) => input['name']));
    for (let id = 1; id <= offset; id += 1) expect(written.has(`Person ${id}`)).toBe(true);
  });

  it('stops after --limit records with a checkpoint that covers only what was processed', async () => {
    const run = setup(contacts(100));
    const result = await runPipeline(run.options({ limit: 25 }));
    expect(result.status).toBe('succeeded');
    expect(result.summary.read).toBe(25);
    expect(run.sink.calls).toHaveLength(25);
    // Page 3 (records 21–30) was cut at 25: its state would skip 26–30, so the checkpoint stays at 20.
    expect(run.store.getCheckpoint(key)).toEqual({ offset: 20 });
    const next = await runPipeline(run.options());
    expect(next.summary).toMatchObject({ read: 80, unchanged: 5, created: 75 });
  });

  it('keeps a --full sync resumable under its own checkpoint and hands its end to incremental syncs', async () => {
    const data = contacts(200);
    const run = setup(() => data, { sink: memorySink({ delay: 1 }) });
    const fullKey = checkpointKeyOf('contacts-sync', 'contacts', 'full');
    expect(fullKey.stream).toBe('contacts#full');
    // An earlier incremental position that a full resync must not disturb until it completes.
    run.store.commitBatch({ runId: run.store.startRun({ pipeline: 'contacts-sync', mode: 'incremental', trigger: 'manual' }), checkpoint: { key, state: { offset: 150 } }, links: [], deadLetters: [] });

    const controller = new AbortController();
    run.sink.options.fail = () => {
      if (run.sink.calls.length === 70) controller.abort();
      return undefined;
    };
    const killed = await runPipeline(run.options({ mode: 'full', signal: controller.signal }));
    expect(killed.status).toBe('stopped');
    const partial = run.store.getCheckpoint(fullKey);
    expect(partial?.['offset']).toBeGreaterThanOrEqual(50);
    expect(partial?.['offset']).toBeLessThan(200);
    expect(run.store.getCheckpoint(key)).toEqual({ offset: 150 });

    run.sink.options.fail = undefined;
    const resumed = await runPipeline(run.options({ mode: 'full' }));
    expect(resumed.status).toBe('succeeded');
    expect(run.source.reads.at(-1)).toMatchObject({ mode: 'full', state: partial });
    expect(run.store.getCheckpoint(fullKey)).toBeUndefined();
    expect(run.store.getCheckpoint(key)).toEqual({ offset: 200 });
    expect(new Set(run.sink.completed.map((input) => input['name'])).size).toBe(200);
  });

  it('keeps the checkpoint put for records handed in by a trigger and for targeted reads', async () => {
    const run = setup(contacts(10));
    const triggered = await runPipeline(run.options({ records: contacts(3, 500), trigger: 'webhook:memsrc/contact.created' }));
    expect(triggered.summary).toMatchObject({ read: 3, created: 3 });
    expect(run.store.listRuns()[0]).toMatchObject({ mode: 'records', trigger: 'webhook:memsrc/contact.created' });
    expect(run.source.reads).toHaveLength(0);
    expect(run.store.getCheckpoint(key)).toBeUndefined();

    const targeted = await runPipeline(run.options({ params: { id: 4 } }));
    expect(targeted.summary.read).toBe(10);
    expect(run.source.reads[0]?.params).toEqual({ id: 4 });
    expect(run.store.getCheckpoint(key)).toBeUndefined();
  });

  it('passes records through unchanged when the pipeline has no map', async () => {
    const run = setup(contacts(3));
    const result = await runPipeline(run.options({ pipeline: pipelineSpec({ to: { connection: 'dst', action: 'rows.upsert' }, map: {}, passThrough: true }) }));
    expect(result.summary.created).toBe(3);
    expect(run.sink.calls[0]?.input).toEqual(contacts(1)[0]);
    // The warehouse-like action's table defaults to the stream: that is the link's entity.
    const link = run.store.getLink({ sourceConnection: 'src', sourceStream: 'contacts', sourceId: '1', targetConnection: 'dst', targetEntity: 'contacts' }, 'contacts-sync');
    expect(link).toBeDefined();
  });

  it('keys links by the primary key the connection settings give the stream', async () => {
    const run = setup(contacts(2));
    const context = (connection: string) => ({ ...memoryContext(connection), config: connection === 'src' ? { primaryKey: 'email' } : {} });
    await runPipeline(run.options({ context }));
    const link = run.store.getLink(
      { sourceConnection: 'src', sourceStream: 'contacts', sourceId: 'person2@example.com', targetConnection: 'dst', targetEntity: 'contacts' },
      'contacts-sync',
    );
    expect(link?.content).toEqual({ name: 'Person 2', email: 'person2@example.com' });
  });

  it('runs then-steps in order with the previous result, and maps them with $result', async () => {
    const run = setup(contacts(4));
    const pipeline = pipelineSpec({ to: { connection: 'dst', action: 'contacts.upsert', match: ['email'] } }, [
      { connection: 'dst', action: 'contacts.tags.add', with: { tags: ['vip'] }, map: { contactId: { expr: '$result.id' }, label: 'tag' }, where: "tag = 'lead'" },
    ]);
    const result = await runPipeline(run.options({ pipeline }));
    expect(result.summary.created).toBe(4);
    expect(run.sink.calls[0]?.match).toEqual(['email']);
    // Person 3 is a customer: the then-step's where skips it.
    expect(run.tagSink.calls).toHaveLength(3);
    const first = run.tagSink.calls[0];
    expect(first?.input).toEqual({ contactId: first?.previous?.id, label: 'lead' });
    expect(first?.options).toEqual({ tags: ['vip'] });
    expect(first?.previous?.outcome).toBe('created');
  });

  it('refuses a then-step without a map when its action needs input', async () => {
    const run = setup(contacts(1));
    const pipeline = pipelineSpec({}, [{ connection: 'dst', action: 'contacts.tags.add' }]);
    await expect(runPipeline(run.options({ pipeline }))).rejects.toMatchObject({ code: 'CONFIG_BAD_FIELDMAP' });
  });

  it('rejects unknown streams and actions before reading, with a suggestion', async () => {
    const run = setup(contacts(1));
    await expect(runPipeline(run.options({ pipeline: pipelineSpec({ from: { connection: 'src', stream: 'contact', sync: 'incremental' } }) }))).rejects.toMatchObject({
      code: 'CONFIG_UNKNOWN_STREAM',
      message: expect.stringContaining("did you mean 'contacts'") as unknown,
    });
    await expect(runPipeline(run.options({ pipeline: pipelineSpec({ to: { connection: 'dst', action: 'contacts.upsrt' } }) }))).rejects.toMatchObject({
      code: 'CONFIG_UNKNOWN_ACTION',
    });
    await expect(runPipeline(run.options({ pipeline: pipelineSpec({ from: { connection: 'src', stream: 'snapshots', sync: 'incremental' } }) }))).rejects.toMatchObject({
      code: 'SYNC_MODE_UNSUPPORTED',
    });
    await expect(runPipeline(run.options({ pipeline: pipelineSpec({ from: { connection: 'src', stream: 'notes', sync: 'full' } }) }))).rejects.toMatchObject({
      code: 'PARAM_MISSING',
    });
    expect(run.source.reads).toHaveLength(0);
  });

  it('never writes the same new source id twice concurrently: the second waits and updates the first', async () => {
    const records = [...contacts(3), { id: 2, name: 'Person 2 again', email: 'person2@example.com' }, ...contacts(3, 10)];
    const run = setup(records, { sink: memorySink({ delay: 5 }) });
    const result = await runPipeline(run.options({ pipeline: pipelineSpec({ concurrency: 8 }) }));
    expect(result.summary).toMatchObject({ created: 6, updated: 1 });
    const second = run.sink.calls.find((call) => call.input['name'] === 'Person 2 again');
    const first = run.sink.calls.find((call) => call.input['name'] === 'Person 2');
    expect(second?.linkedId).toBeDefined();
    expect(first?.linkedId).toBeUndefined();
  });

  it('reports progress while it runs', async () => {
    const run = setup(contacts(80), { source: { total: true }, sink: memorySink({ delay: 10 }) });
    const seen: number[] = [];
    let total: number | undefined;
    await runPipeline(
      run.options({
        onProgress: (progress) => {
          seen.push(progress.read);
          total = progress.total;
        },
      }),
    );
    expect(seen.at(-1)).toBe(80);
    expect(total).toBe(80);
    expect(seen.length).toBeGreaterThan(1);
  });

  it('reports the HTTP counters of the run only', async () => {
    const run = setup(contacts(2));
    let calls = 100;
    const result = await runPipeline(
      run.options({
        stats: () => {
          calls += 2;
          return { apiCalls: calls, rateLimited: 1, retries: 0, utilization: 0.5 };
        },
      }),
    );
    expect(result.summary).toMatchObject({ apiCalls: 2, rateLimited: 0, utilization: 0.5 });
  });
});

describe('dry run', () => {
  it('computes create / update / unchanged / skip with diffs and writes nothing', async () => {
    const data = contacts(6);
    const run = setup(() => data);
    await runPipeline(run.options({ pipeline: pipelineSpec({ where: "tag = 'lead'" }) }));
    const before = { runs: run.store.listRuns().length, calls: run.sink.calls.length, checkpoint: run.store.getCheckpoint(key) };
    data[0] = { ...data[0], email: 'new@example.com' };
    data.push(...contacts(1, 7));

    const entries: PlanEntry[] = [];
    const plan = await runPipeline(run.options({ pipeline: pipelineSpec({ where: "tag = 'lead'" }), dryRun: true, mode: 'full', onPlan: (entry) => entries.push(entry) }));
    expect(plan.runId).toBeUndefined();
    expect(plan.summary).toMatchObject({ read: 7, created: 1, updated: 1, unchanged: 3, skipped: 2 });
    const byId = new Map(entries.map((entry) => [entry.sourceId, entry]));
    expect(byId.get('1')).toMatchObject({ outcome: 'update', diff: [{ field: 'email', before: 'person1@example.com', after: 'new@example.com' }] });
    expect(byId.get('1')?.targetId).toMatch(/^t/);
    expect(byId.get('2')).toMatchObject({ outcome: 'unchanged', diff: [] });
    expect(byId.get('3')).toMatchObject({ outcome: 'skip' });
    expect(byId.get('7')).toMatchObject({ outcome: 'create', diff: [{ field: 'name', after: 'Person 7' }, { field: 'email', after: 'person7@example.com' }] });

    expect(run.store.listRuns()).toHaveLength(before.runs);
    expect(run.sink.calls).toHaveLength(before.calls);
    expect(run.store.getCheckpoint(key)).toEqual(before.checkpoint);
    expect(run.store.listDeadLetters()).toHaveLength(0);
  });

  it('asks the action to find the destination record when it can, and plans failures as errors', async () => {
    const sink = memorySink({ find: true });
    sink.rows.set('crm-9', { name: 'Old Name', email: 'person1@example.com' });
    const records = [...contacts(2), { id: 3, name: 'No Email', email: 'nope' }];
    const run = setup(records, { sink });
    const entries: PlanEntry[] = [];
    const plan = await runPipeline(run.options({ dryRun: true, onPlan: (entry) => entries.push(entry) }));
    expect(plan.summary).toMatchObject({ created: 1, updated: 1, deadLettered: 1 });
    expect(entries.find((entry) => entry.sourceId === '1')).toMatchObject({
      outcome: 'update',
      targetId: 'crm-9',
      diff: [{ field: 'name', before: 'Old Name', after: 'Person 1' }],
    });
    expect(entries.find((entry) => entry.sourceId === '2')?.outcome).toBe('create');
    expect(entries.find((entry) => entry.sourceId === '3')).toMatchObject({ outcome: 'error', error: { code: 'INPUT_INVALID' } });
    expect(sink.calls).toHaveLength(0);
    expect(run.store.listDeadLetters()).toHaveLength(0);
  });
});

describe('replayDeadLetters', () => {
  it('lands fixed records, marks them replayed, and keeps one open row for a record that fails again', async () => {
    let broken = new Set(['Person 2', 'Person 5']);
    let status = 500;
    const sink = memorySink({ fail: (input) => (broken.has(String(input['name'])) ? new FerryError('HTTP_SERVER', `upstream ${status}`) : undefined) });
    const run = setup(contacts(6), { sink });
    await runPipeline(run.options());
    expect(run.store.listDeadLetters({ status: 'open' })).toHaveLength(2);

    broken = new Set(['Person 5']);
    status = 503;
    const replay = await replayDeadLetters(run.options());
    expect(replay.summary).toMatchObject({ read: 2, created: 1, deadLettered: 1 });
    expect(replay.status).toBe('partial');
    const letters = run.store.listDeadLetters({ pipeline: 'contacts-sync' });
    expect(letters).toHaveLength(2);
    expect(letters.find((letter) => letter.sourceId === '2')?.status).toBe('replayed');
    // Failing again updates the same row: the new error, one more attempt.
    expect(letters.find((letter) => letter.sourceId === '5')).toMatchObject({ status: 'open', attempts: 2, error: { message: 'upstream 503' } });
    expect(run.store.listRuns()[0]).toMatchObject({ mode: 'replay' });

    broken = new Set();
    const open = run.store.listDeadLetters({ status: 'open' });
    const again = await replayDeadLetters(run.options({ ids: open.map((letter) => letter.id) }));
    expect(again.status).toBe('succeeded');
    expect(run.store.listDeadLetters({ status: 'open' })).toHaveLength(0);
    // The replayed records are linked: the next run sees them as unchanged.
    const next = await runPipeline(run.options({ mode: 'full' }));
    expect(next.summary).toMatchObject({ unchanged: 6, created: 0 });
  });

  it('refuses ids that are not open dead letters of the pipeline', async () => {
    const run = setup(contacts(1));
    await expect(replayDeadLetters(run.options({ ids: [42] }))).rejects.toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND' });
  });

  it('replays a then-step failure through the whole chain, updating the record written before', async () => {
    let tagFails = true;
    const run = setup(contacts(2));
    run.tagSink.options.fail = () => (tagFails ? new FerryError('HTTP_SERVER', 'tags endpoint down') : undefined);
    const pipeline = pipelineSpec({}, [{ connection: 'dst', action: 'contacts.tags.add', map: { contactId: { expr: '$result.id' } } }]);
    const first = await runPipeline(run.options({ pipeline }));
    expect(first.summary).toMatchObject({ deadLettered: 2 });
    tagFails = false;
    const replay = await replayDeadLetters(run.options({ pipeline }));
    expect(replay.status).toBe('succeeded');
    // The contact written before the then-step failed was updated, not created twice.
    const replayCalls = run.sink.calls.slice(2);
    expect(replayCalls.every((call) => call.linkedId !== undefined)).toBe(true);
    expect(run.sink.rows.size).toBe(2);
  });
});

describe('checkpoint ordering', () => {
  it('never commits a checkpoint past an unacknowledged record, whatever order records complete in', async () => {
    const { default: fc } = await import('fast-check');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 20, maxLength: 80 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 30 }),
        async (delays, concurrency, pageSize, batchSize) => {
          const store = newStore();
          const records = contacts(delays.length);
          const acked = new Set<string>();
          const sink = memorySink({
            delay: (input) => delays[Number(String(input['name']).slice(7)) - 1] ?? 0,
            fail: (input) => (String(input['name']).endsWith('7') ? new FerryError('HTTP_VALIDATION', 'rejected') : undefined),
          });
          const violations: string[] = [];
          // The store sees each batch; the check runs at the moment of the commit.
          const watched: Store = Object.create(store) as Store;
          watched.commitBatch = (batch: BatchCommit) => {
            for (const link of batch.links) acked.add(link.sourceId);
            for (const letter of batch.deadLetters) if (letter.sourceId !== undefined) acked.add(letter.sourceId);
            const offset = batch.checkpoint?.state['offset'];
            if (typeof offset === 'number') {
              for (let id = 1; id <= offset; id += 1) if (!acked.has(String(id))) violations.push(`checkpoint ${offset} passes record ${id}`);
            }
            store.commitBatch(batch);
          };
          const run = setup(records, { store: watched, sink, source: { pageSize } });
          const result = await runPipeline(run.options({ pipeline: pipelineSpec({ concurrency, batchSize }) }));
          expect(violations).toEqual([]);
          expect(result.summary.read).toBe(records.length);
          expect(store.getCheckpoint(key)).toEqual({ offset: records.length });
        },
      ),
      { numRuns: 25 },
    );
  });
});
