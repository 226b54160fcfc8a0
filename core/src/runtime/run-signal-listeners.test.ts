import { getEventListeners } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { pino } from 'pino';
import { defineConnector, type ConnectorDef, type Page } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import { runPipeline } from '../engine/index.js';
import { forgetLimiters } from '../http/limiter-registry.js';
import { closeAllPools } from '../http/pool-registry.js';
import { serveHandlers, type LoopbackServer } from '../sandbox/serve-handlers.js';
import { openSqliteStore, type SqliteStore } from '../store/index.js';
import { createContextFactory } from './context-factory.js';
import { hardStopSignal } from './hard-stop.js';

const log = pino({ level: 'silent' });
const PAGES = 4;
const PAGE_SIZE = 20;
const CONCURRENCY = 16;

let api: LoopbackServer;
/** The signal the HTTP calls of the current run listen on, and the most listeners it had while a call arrived. */
let watched: AbortSignal | undefined;
let peakListeners = 0;

function noteListeners(): void {
  if (watched !== undefined) peakListeners = Math.max(peakListeners, getEventListeners(watched, 'abort').length);
}

beforeAll(async () => {
  api = await serveHandlers([
    http.get('*/v1/items', ({ request }) => {
      const page = Number(new URL(request.url).searchParams.get('page') ?? '0');
      const records = page < PAGES ? Array.from({ length: PAGE_SIZE }, (_, i) => ({ id: page * PAGE_SIZE + i + 1, name: `Item ${page * PAGE_SIZE + i + 1}` })) : [];
      return HttpResponse.json({ records });
    }),
    http.post('*/v1/copies', async ({ request }) => {
      noteListeners();
      // Long enough for every write of the run's concurrency to be in flight at once.
      await new Promise((resolve) => setTimeout(resolve, 40));
      const body = (await request.json()) as JsonRecord;
      return HttpResponse.json({ id: `c-${String(body['name'])}` }, { status: 201 });
    }),
  ]);
});
afterAll(async () => {
  await api.close();
  await forgetLimiters();
  await closeAllPools();
});

async function* readItems(ctx: ConnectorContext): AsyncGenerator<Page> {
  for (let page = 0; ; page += 1) {
    const response = await ctx.http.request<{ records: JsonRecord[] }>({ method: 'GET', path: '/items', query: { page: String(page) } });
    if (response.body.records.length === 0) return;
    yield { records: response.body.records, state: { page: page + 1 } };
  }
}

/** A small HTTP API connector: a paged stream and a write whose calls the engine runs many at once. */
const loopApi: ConnectorDef = defineConnector({
  name: 'loopapi',
  version: '1.0.0',
  description: 'loopback API',
  configSchema: { type: 'object' },
  auth: [{ kind: 'bearer', label: 'API key' }],
  http: { baseUrl: (config) => String(config['baseUrl']) },
  streams: [
    {
      name: 'items',
      description: 'items',
      schema: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
      primaryKey: 'id',
      syncModes: ['full'],
      read: (ctx) => readItems(ctx),
    },
  ],
  actions: [
    {
      name: 'copies.create',
      description: 'creates a copy',
      input: { type: 'object', properties: { name: { type: 'string' } } },
      idempotence: 'none',
      async run(ctx, request) {
        const response = await ctx.http.request<{ id: string }>({ method: 'POST', path: '/copies', body: request.input, ...(ctx.signal === undefined ? {} : { signal: ctx.signal }) });
        return { outcome: 'created', id: response.body.id };
      },
    },
  ],
  triggers: [],
});

function project(): ProjectSpec {
  const connection = (name: string) => ({ name, connector: 'loopapi', config: { baseUrl: `${api.url}/v1` }, auth: { kind: 'bearer' as const, token: `token-${name}` } });
  return {
    file: '/project/ferry.yaml',
    baseDir: '/project',
    store: ':memory:',
    connections: { source: connection('source'), target: connection('target') },
    pipelineFiles: [],
    serve: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  };
}

const pipeline: PipelineSpec = {
  name: 'copy-items',
  file: '/project/pipelines/copy-items.yaml',
  on: [],
  from: { connection: 'source', stream: 'items', sync: 'full' },
  to: { connection: 'target', action: 'copies.create' },
  map: { name: 'name' },
  // oxlint-disable-next-line unicorn/no-thenable -- `then` is the pipeline's list of follow-up steps, never awaited
  then: [],
  concurrency: CONCURRENCY,
  positions: {},
};

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  watched = undefined;
  peakListeners = 0;
});

/** One run wired as `ferry run` and the service wire it: graceful stop → hard stop → context factory → engine. */
async function runOnce(graceful: AbortSignal, store: SqliteStore): Promise<{ status: string; created: number; hardStopListenersAfter: number }> {
  const hardStop = hardStopSignal(graceful, { drainMs: 30_000 });
  watched = hardStop.signal;
  const registry = new Map([['loopapi', loopApi]]);
  const spec = project();
  const contexts = createContextFactory({ project: spec, registry, store, log, signal: hardStop.signal, env: {} });
  try {
    const result = await runPipeline({ pipeline, registry, connections: spec.connections, store, context: (name) => contexts.context(name), log, signal: graceful });
    // undici lets go of a call's listener when its response stream closes, a tick after the body was read.
    await new Promise((resolve) => setImmediate(resolve));
    return { status: result.status, created: result.summary.created, hardStopListenersAfter: getEventListeners(hardStop.signal, 'abort').length };
  } finally {
    hardStop.dispose();
    await contexts.close();
  }
}

describe('abort-signal listeners of a run with many calls in flight', () => {
  it('emits no MaxListenersExceededWarning, and every call removes its listeners when it ends', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const graceful = new AbortController();
      for (let round = 0; round < 2; round += 1) {
        const store = openSqliteStore(':memory:');
        stores.push(store);
        const run = await runOnce(graceful.signal, store);
        expect(run).toEqual({ status: 'succeeded', created: PAGES * PAGE_SIZE, hardStopListenersAfter: 0 });
        // Nothing the run added is left on the caller's signal either, run after run.
        expect(getEventListeners(graceful.signal, 'abort')).toHaveLength(0);
      }
      // The run really had more listeners at once than Node's default cap of 10 (two per call in flight).
      expect(peakListeners).toBeGreaterThan(10);
      // Node emits the warning on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
