import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { JsonRecord } from '../contract/json-schema.js';
import { openSqliteStore, type SqliteStore } from '../store/index.js';
import { connections, memoryConnectors, memoryContext, memorySink, pipelineSpec, silentLogger } from './fixtures/memory-connector.js';
import { runPipeline } from './index.js';

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

describe('back-pressure', () => {
  it('reads a 200k-record stream into a slow sink with a bounded number of records in flight', async () => {
    const total = 200_000;
    const pageSize = 500;
    let produced = 0;
    let maxBuffered = 0;
    // Slow sink: every write waits for a macrotask turn, far slower than the source produces.
    const sink = memorySink();
    const reads: { mode: string; state: JsonRecord | undefined; params: Readonly<Record<string, unknown>> }[] = [];
    async function* read(_ctx: ConnectorContext, request: { state: JsonRecord | undefined }): AsyncGenerator<Page> {
      let offset = typeof request.state?.['offset'] === 'number' ? request.state['offset'] : 0;
      while (offset < total) {
        const records: JsonRecord[] = [];
        for (let i = 0; i < pageSize; i += 1) {
          const id = offset + i + 1;
          records.push({ id, name: `Person ${id}`, email: `p${id}@example.com`, tag: 'lead' });
        }
        offset += pageSize;
        produced += records.length;
        maxBuffered = Math.max(maxBuffered, produced - sink.completed.length);
        await Promise.resolve();
        yield { records, state: { offset } };
      }
    }
    const store = openSqliteStore(':memory:');
    stores.push(store);
    const registry = memoryConnectors({ source: { read, reads }, sink });
    const slowSink = registry.get('memdst');
    const upsert = slowSink?.actions.find((action) => action.name === 'contacts.upsert');
    if (upsert === undefined) throw new Error('fixture is missing contacts.upsert');
    const run = upsert.run.bind(upsert);
    let active = 0;
    let maxActive = 0;
    Object.assign(upsert, {
      run: async (...args: Parameters<typeof run>) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        try {
          await nextMacrotask();
          return await run(...args);
        } finally {
          active -= 1;
        }
      },
    });

    const result = await runPipeline({
      pipeline: pipelineSpec({ concurrency: 16 }),
      registry,
      connections,
      store,
      context: memoryContext,
      log: silentLogger,
    });

    expect(result.status).toBe('succeeded');
    expect(result.summary.read).toBe(total);
    expect(sink.completed).toHaveLength(total);
    // In flight never exceeds the high-water mark (one batch, 500) plus one page and the writes running.
    expect(maxBuffered).toBeLessThanOrEqual(500 + pageSize + 16);
    // The destination sees exactly the pipeline's concurrency, never more.
    expect(maxActive).toBe(16);
    expect(store.getCheckpoint({ pipeline: 'contacts-sync', stream: 'contacts', partition: '' })).toEqual({ offset: total });
  });
});
