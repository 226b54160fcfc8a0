/**
 * The time one run spends blocked on the PostgreSQL store, in a worker's place: 2,500 contacts in pages of 10
 * through `skipEchoes` and `when.became` (an echo and a remembered verdict to look up for every contact) into an
 * in-memory destination, a first sync and then a run where nothing changed. Prints each store method's calls and
 * milliseconds (the store's calls block the event loop: their time is the run's). Needs PostgreSQL on 127.0.0.1:5432
 * (database `test`, trust auth); the schema it makes is dropped at the end.
 *
 *   node --import tsx bench/workers/store-time.ts [--records 2500] [--page-size 10]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openStore, runPipeline, type Store } from '@ferry/core';
import { connections, contacts, memoryConnectors, memoryContext, memorySink, memorySource, pipelineSpec, silentLogger } from '../../core/src/engine/fixtures/memory-connector.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '2500' }, 'page-size': { type: 'string', default: '10' } } });
const DATABASE = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `ferry_bench_store_time_${process.pid}`;

/** The store with the calls and time of each method added up. */
function timedStore(store: Store, time: Map<string, { calls: number; ms: number }>): Store {
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const start = performance.now();
        try {
          return (value as (...parameters: unknown[]) => unknown).apply(target, args);
        } finally {
          const entry = time.get(String(property)) ?? { calls: 0, ms: 0 };
          entry.calls += 1;
          entry.ms += performance.now() - start;
          time.set(String(property), entry);
        }
      };
    },
  });
}

const real = openStore(`${DATABASE}?schema=${schema}`, '/');
const time = new Map<string, { calls: number; ms: number }>();
const store = timedStore(real, time);
const records = contacts(Number(values.records));
const pipeline = pipelineSpec({ skipEchoes: true, when: { became: "tag = 'lead' or tag = 'customer'" }, batchSize: 500 });
try {
  for (const pass of ['first sync', 'nothing changed']) {
    time.clear();
    const source = memorySource(records, { pageSize: Number(values['page-size']) });
    const started = performance.now();
    const result = await runPipeline({
      pipeline,
      registry: memoryConnectors({ source, sink: memorySink() }),
      connections,
      store,
      context: memoryContext,
      log: silentLogger,
      mode: 'full',
    });
    const wall = performance.now() - started;
    const entries = [...time.entries()];
    const blocked = entries.reduce((sum, [, entry]) => sum + entry.ms, 0);
    const calls = entries.reduce((sum, [, entry]) => sum + entry.calls, 0);
    const methods = entries.map(([method, entry]) => `${method} ${entry.calls}× ${entry.ms.toFixed(0)} ms`).join(', ');
    process.stdout.write(
      `${pass}: ${result.status}, ${result.summary.read} read in ${wall.toFixed(0)} ms; ${calls} store calls, ${blocked.toFixed(0)} ms (${((100 * blocked) / wall).toFixed(0)}% of the run) — ${methods}\n`,
    );
  }
} finally {
  real.close();
  const client = new pg.Client({ connectionString: DATABASE });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
