import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../errors/ferry-error.js';
import { openSqliteStore, type SqliteStore } from '../store/index.js';
import { connections, contacts, memoryConnectors, memoryContext, memorySink, memorySource, pipelineSpec, silentLogger } from './fixtures/memory-connector.js';
import { replayDeadLetters, runPipeline } from './index.js';
import type { RunPipelineOptions } from './run-types.js';

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/** One pipeline read in two partitions (as two locations would be); the sink refuses the names in `broken`. */
function partitionedSetup() {
  const store = openSqliteStore(':memory:');
  stores.push(store);
  const broken = new Set(['Person 2']);
  const sink = memorySink({ fail: (input) => (broken.has(String(input['name'])) ? new FerryError('HTTP_422', 'refused') : undefined) });
  const registry = memoryConnectors({ source: memorySource(contacts(4)), sink });
  const options = (overrides: Partial<RunPipelineOptions> & { ids?: readonly number[] } = {}) => ({
    pipeline: pipelineSpec(),
    registry,
    connections,
    store,
    context: memoryContext,
    log: silentLogger,
    ...overrides,
  });
  return { store, sink, broken, options };
}

describe('dead letters of a partitioned pipeline', () => {
  it('remember the partition of the run that wrote them', async () => {
    const run = partitionedSetup();
    await runPipeline(run.options({ partition: 'loc-a' }));
    await runPipeline(run.options({ partition: 'loc-b' }));
    await runPipeline(run.options({ mode: 'full' }));
    expect(run.store.listDeadLetters().map((letter) => [letter.sourceId, letter.partition])).toEqual([
      ['2', 'loc-a'],
      ['2', 'loc-b'],
      ['2', ''],
    ]);
  });

  it('are replayed only in their own partition', async () => {
    const run = partitionedSetup();
    await runPipeline(run.options({ partition: 'loc-a' }));
    await runPipeline(run.options({ partition: 'loc-b' }));
    run.broken.clear();
    const callsBefore = run.sink.calls.length;

    // No partition: the letters of unpartitioned runs only, of which there are none.
    const none = await replayDeadLetters(run.options());
    expect(none.summary).toMatchObject({ read: 0, created: 0 });

    const inA = await replayDeadLetters(run.options({ partition: 'loc-a' }));
    expect(inA.status).toBe('succeeded');
    expect(inA.summary).toMatchObject({ read: 1, created: 1 });
    expect(run.sink.calls.length - callsBefore).toBe(1);
    expect(run.store.listRuns()[0]).toMatchObject({ mode: 'replay', partition: 'loc-a' });
    expect(run.store.listDeadLetters().map((letter) => [letter.partition, letter.status])).toEqual([
      ['loc-a', 'replayed'],
      ['loc-b', 'open'],
    ]);
  });

  it("refuse the id of another partition's letter, saying where it is", async () => {
    const run = partitionedSetup();
    await runPipeline(run.options({ partition: 'loc-a' }));
    await runPipeline(run.options({ partition: 'loc-b' }));
    const inB = run.store.listDeadLetters({ partition: 'loc-b' })[0]?.id ?? -1;
    await expect(replayDeadLetters(run.options({ partition: 'loc-a', ids: [inB] }))).rejects.toMatchObject({
      code: 'DEAD_LETTER_NOT_FOUND',
      message: `no open dead letter ${inB} for pipeline 'contacts-sync' in partition 'loc-a' (${inB} is in partition 'loc-b')`,
      hint: expect.stringContaining('partition it was dead-lettered in'),
    });
    expect(run.store.listDeadLetters({ status: 'open' })).toHaveLength(2);
  });
});
