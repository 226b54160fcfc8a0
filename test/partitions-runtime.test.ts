import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '@ferry/connector-builtin';
import { ghl } from '@ferry/connector-ghl';
import { sandboxTokens, serveGhlSandbox } from '@ferry/connector-ghl/sandbox';
import {
  createConnectorRegistry,
  createContextFactory,
  createPartitionDirectory,
  createService,
  expandPipeline,
  limiterFor,
  loadPipelines,
  openSqliteStore,
  parsePipeline,
  parseProject,
  type ConnectorContext,
  type Logger,
} from '@ferry/core';

const registry = createConnectorRegistry([...builtinConnectors, ghl]);
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ferry-partitions-runtime-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('each partition has its own rate-limit budget (GHL sandbox, real HTTP client)', () => {
  const LOCATIONS = ['sbxLocation000000001', 'sbxLocation000000002'];
  // Windows ten times longer than GHL's (100 s): a budget two partitions shared could not serve both at once.
  const TIME_SCALE = 0.1;
  let served: Awaited<ReturnType<typeof serveGhlSandbox>>;
  beforeAll(async () => {
    served = await serveGhlSandbox({ size: 2, timeScale: TIME_SCALE, extra: { locations: LOCATIONS } });
  });
  afterAll(() => served.close());

  it('100 calls per location go through at once: each location spends its own window, none answers 429', async () => {
    const partitions = LOCATIONS.map((id) => `      - { id: ${id}, config: { locationId: ${id} }, auth: { token: ${sandboxTokens(id).full} } }`).join('\n');
    const project = parseProject(`connections:\n  crm:\n    connector: ghl\n    config: { baseUrl: "${served.url}" }\n    partitions:\n${partitions}\n  warehouse: { connector: sqlite, config: { path: w.db } }\n`, join(dir, 'ferry.yaml'), { registry, env: {} });
    const pipeline = parsePipeline('name: p\nfrom: { connection: crm, stream: contacts }\nto: { connection: warehouse, action: upsert }\n', join(dir, 'p.yaml'), { project, registry });
    const store = openSqliteStore(join(dir, 'limits.db'));
    const stop = new AbortController();
    const runtime = { project, registry, store, log: quiet, signal: stop.signal, timeScale: TIME_SCALE };
    const directory = createPartitionDirectory(runtime);
    const factories = (await expandPipeline(pipeline, directory)).map((unit) => createContextFactory({ ...runtime, partitions: unit.connections }));
    try {
      const contexts = factories.map((factory) => factory.context('crm'));
      expect(contexts.map((ctx) => [ctx.account, ctx.config['locationId']])).toEqual(LOCATIONS.map((id) => [id, id]));
      const burst = (ctx: ConnectorContext) =>
        Promise.all(Array.from({ length: 100 }, () => ctx.http.request({ method: 'GET', path: '/contacts/', query: { locationId: ctx.account ?? '', limit: 1 } })));
      const answers = (await Promise.all(contexts.map(burst))).flat();
      expect(answers.every((answer) => answer.status === 200)).toBe(true);

      for (const id of LOCATIONS) {
        const limiter = limiterFor('ghl', id, ghl.limits, { timeScale: TIME_SCALE }).stats();
        expect([id, limiter.sent, limiter.windows[0]?.available]).toEqual([id, 100, 0]);
      }
      const stats = served.sandbox.stats() as { rateLimited: number; locations: Record<string, { admitted: number }> };
      expect(stats.rateLimited).toBe(0);
      expect(LOCATIONS.map((id) => stats.locations[id]?.admitted)).toEqual([100, 100]);
    } finally {
      stop.abort();
      await Promise.all(factories.map((factory) => factory.close()));
      await directory.close();
      store.close();
    }
  });
});

describe('the service runs every partition of a scheduled pipeline', () => {
  it('one run per partition, each from its own checkpoint, into one shared destination', async () => {
    const project = join(dir, 'service');
    const file = (name: string) => join(project, name);
    mkdirSync(join(project, 'pipelines'), { recursive: true });
    writeFileSync(file('east.jsonl'), ['{"id":"e1","name":"East one"}', '{"id":"e2","name":"East two"}', ''].join('\n'));
    writeFileSync(file('west.jsonl'), ['{"id":"w1","name":"West one"}', ''].join('\n'));
    writeFileSync(
      file('ferry.yaml'),
      `store: ./ferry.db
connections:
  files:
    connector: jsonl
    config: { path: east.jsonl }
    partitions:
      - { id: east }
      - { id: west, config: { path: west.jsonl } }
  out: { connector: jsonl, config: { path: out.jsonl } }
pipelines: [pipelines/*.yaml]
`,
    );
    writeFileSync(file('pipelines/copy.yaml'), "name: copy\non: [{ schedule: '* * * * * *' }]\nfrom: { connection: files, stream: records, sync: incremental }\nto: { connection: out, action: append }\n");
    const spec = parseProject(readFileSync(file('ferry.yaml'), 'utf8'), file('ferry.yaml'), { registry, env: {} });
    const store = openSqliteStore(file('ferry.db'));
    const service = createService({
      project: spec,
      pipelines: loadPipelines(spec, registry, {}),
      registry,
      store,
      log: quiet,
      port: 0,
      host: '127.0.0.1',
      defaultMetrics: false,
      env: {},
    });
    try {
      await service.start();
      const deadline = Date.now() + 30_000;
      while (store.listRuns().filter((run) => run.status === 'succeeded').length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await service.stop();
      const runs = store.listRuns();
      expect(new Set(runs.filter((run) => run.status === 'succeeded').map((run) => run.partition))).toEqual(new Set(['east', 'west']));
      expect(store.listCheckpoints('copy').map((c) => [c.stream, c.partition])).toEqual([
        ['records', 'east'],
        ['records', 'west'],
      ]);
      const written = readFileSync(file('out.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { id: string }).id);
      // Later ticks resume each partition from its checkpoint: nothing is written twice.
      expect(written.sort()).toEqual(['e1', 'e2', 'w1']);
    } finally {
      await service.stop();
      store.close();
    }
  });
});
