import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { defineConnector, type PartitionDef } from '../contract/connector.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { Logger } from '../contract/logger.js';
import { createConnectorRegistry } from '../config/connector-registry.js';
import { parsePipeline } from '../config/pipeline-loader.js';
import { parseProject } from '../config/project-loader.js';
import { FerryError, isFerryError } from '../errors/ferry-error.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { DeliveryHandler } from './delivery-handler.js';
import { DeliveryPartitions, type DeliveryRoute } from './delivery-partitions.js';
import { LimiterWatch, createRunExecutor } from './run-executor.js';
import { PipelineGates } from './pipeline-gates.js';
import { ServiceMetrics } from './service-metrics.js';
import { buildWebhookEndpoints } from './webhook-endpoints.js';
import { WebhookLanes } from './webhook-lanes.js';

/**
 * A connector whose partitions are regions: listed in ferry.yaml or discovered (`installed`), keyed by their
 * `region` setting; its `event` webhook names the region of each delivery, and its `keep` action remembers what it
 * wrote, and with which connection.
 */
const world = {
  installed: [] as string[],
  discoveries: 0,
  failDiscovery: false,
  kept: [] as JsonRecord[],
};

const regions = defineConnector({
  name: 'regions',
  version: '0.1.0',
  description: 'Partitioned by region (delivery routing tests)',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { region: { type: 'string', description: 'The region a connection or partition acts in' } },
  },
  auth: [{ kind: 'none' }],
  streams: [
    {
      name: 'events',
      description: 'Events of a region',
      schema: { type: 'object', properties: { id: { type: 'string' } } },
      primaryKey: 'id',
      syncModes: ['full'],
      // Webhook runs hand records in; nothing is read.
      async *read() {},
    },
  ],
  actions: [
    {
      name: 'keep',
      description: 'Remembers each record',
      input: { type: 'object' },
      idempotence: 'idempotent',
      run: (_ctx, request) => {
        world.kept.push(request.input);
        return Promise.resolve({ outcome: 'created', id: String(request.input['id']) });
      },
    },
  ],
  triggers: [
    {
      name: 'event',
      description: 'An event of some region',
      kind: 'webhook',
      stream: 'events',
      parse(delivery) {
        const body = JSON.parse(delivery.rawBody.toString('utf8')) as { id: string; region?: string };
        return { deliveryId: body.id, records: [{ id: body.id }], ...(body.region === undefined ? {} : { partitionKey: body.region }) };
      },
    },
  ],
  partitions(): Promise<readonly PartitionDef[]> {
    world.discoveries += 1;
    if (world.failDiscovery) return Promise.reject(new FerryError('REGIONS_DOWN', 'the region list is unavailable', { hint: 'try later' }));
    return Promise.resolve(world.installed.map((region) => ({ id: `p-${region}`, config: { region } })));
  },
  partitionKey: (config) => (typeof config['region'] === 'string' ? config['region'] : undefined),
});

const registry = createConnectorRegistry([regions]);
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ferry-delivery-partitions-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const project = parseProject(
  `connections:
  listed:
    connector: regions
    partitions:
      - { id: north, config: { region: n-1 } }
      - { id: south }
  discovered: { connector: regions, partitions: discover }
  plain: { connector: regions, config: { region: only } }
  sink: { connector: regions }
`,
  join(dir, 'ferry.yaml'),
  { registry, env: {} },
);

function pipeline(name: string, connection: string) {
  return parsePipeline(
    `name: ${name}\non:\n  - webhook: ${connection}/event\nfrom: { connection: ${connection}, stream: events }\nto: { connection: sink, action: keep }\nmap:\n  id: id\n`,
    join(dir, `${name}.yaml`),
    { project, registry, env: {} },
  );
}

let store: ReturnType<typeof openSqliteStore> | undefined;
function openStore(name: string): ReturnType<typeof openSqliteStore> {
  store?.close();
  store = openSqliteStore(join(dir, `${name}.db`));
  return store;
}
afterAll(() => store?.close());

beforeEach(() => {
  world.installed = ['e-1', 'w-1'];
  world.discoveries = 0;
  world.failDiscovery = false;
  world.kept = [];
});

function partitionsWith(clock: { now: number }, rediscoverAfterMs?: number): DeliveryPartitions {
  return new DeliveryPartitions({
    runtime: { project, registry, store: openStore('routes'), log: quiet },
    now: () => clock.now,
    ...(rediscoverAfterMs === undefined ? {} : { rediscoverAfterMs }),
  });
}

function failure(route: DeliveryRoute): { code: string; message: string; hint: string | undefined; retryAt: number | undefined } {
  if (route.kind !== 'failed' || !isFerryError(route.error)) throw new Error(`expected a failed route, got ${JSON.stringify(route)}`);
  return { code: route.error.code, message: route.error.message, hint: route.error.hint, retryAt: route.retryAt };
}

describe('DeliveryPartitions: the partition of a delivery, from its key', () => {
  it('an unpartitioned connection takes every delivery whole, whatever key its event names', async () => {
    const routes = partitionsWith({ now: 0 });
    expect(await routes.route('plain', 'event', 'n-1')).toEqual({ kind: 'unpartitioned' });
    expect(await routes.route('plain', 'event', undefined)).toEqual({ kind: 'unpartitioned' });
  });

  it('listed partitions: the key is the partition key of its merged config, else its id; others are not synced', async () => {
    const routes = partitionsWith({ now: 0 });
    expect(await routes.route('listed', 'event', 'n-1')).toEqual({ kind: 'partition', partition: 'north' });
    expect(await routes.route('listed', 'event', 'south')).toEqual({ kind: 'partition', partition: 'south' });
    expect(await routes.route('listed', 'event', 'x-9')).toEqual({ kind: 'not-synced', key: 'x-9' });
    expect(world.discoveries).toBe(0);
  });

  it('a delivery that names no partition of a partitioned connection fails with PARTITION_REQUIRED', async () => {
    const routes = partitionsWith({ now: 0 });
    for (const connection of ['listed', 'discovered']) {
      const { code, message, hint } = failure(await routes.route(connection, 'event', undefined));
      expect(code).toBe('PARTITION_REQUIRED');
      expect(message).toContain(`connection '${connection}'`);
      expect(hint).toMatch(/partitionKey/);
    }
  });

  it('discovered partitions: listed once for every caller at once, then kept', async () => {
    const routes = partitionsWith({ now: 0 });
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => routes.route('discovered', 'event', i % 2 === 0 ? 'e-1' : 'w-1')));
    expect(all.map((route) => (route.kind === 'partition' ? route.partition : route.kind))).toEqual(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'p-e-1' : 'p-w-1')));
    expect(await routes.route('discovered', 'event', 'w-1')).toEqual({ kind: 'partition', partition: 'p-w-1' });
    expect(world.discoveries).toBe(1);
  });

  it('an unknown key discovers again at most once a minute: PARTITION_UNKNOWN until the location shows up', async () => {
    const clock = { now: 1_000 };
    const routes = partitionsWith(clock);
    expect(await routes.route('discovered', 'event', 'e-1')).toEqual({ kind: 'partition', partition: 'p-e-1' });

    // Installed just now: the list of a second ago does not have it, and it is too young to be taken again.
    world.installed.push('s-2');
    clock.now = 2_000;
    const unknown = failure(await routes.route('discovered', 'event', 's-2'));
    expect(unknown).toMatchObject({ code: 'PARTITION_UNKNOWN', retryAt: 61_000 });
    expect(unknown.message).toContain("connection 'discovered'");
    expect(unknown.message).toContain("'s-2'");
    expect(unknown.hint).toMatch(/not among the partitions connector 'regions' discovered/);
    clock.now = 60_999;
    expect(failure(await routes.route('discovered', 'event', 's-2')).code).toBe('PARTITION_UNKNOWN');
    expect(world.discoveries).toBe(1);

    clock.now = 61_000;
    const [found, again] = await Promise.all([routes.route('discovered', 'event', 's-2'), routes.route('discovered', 'event', 's-2')]);
    expect([found, again]).toEqual([
      { kind: 'partition', partition: 'p-s-2' },
      { kind: 'partition', partition: 'p-s-2' },
    ]);
    expect(world.discoveries).toBe(2);

    // A key no discovery knows keeps failing, and costs one discovery a minute, not one per delivery.
    for (const now of [62_000, 90_000, 120_999]) {
      clock.now = now;
      expect(failure(await routes.route('discovered', 'event', 'gone')).retryAt).toBe(121_000);
    }
    expect(world.discoveries).toBe(2);
    clock.now = 121_000;
    expect(failure(await routes.route('discovered', 'event', 'gone')).retryAt).toBe(181_000);
    expect(world.discoveries).toBe(3);
  });

  it('a discovery that fails is the failure of the delivery; the next attempt discovers again', async () => {
    const routes = partitionsWith({ now: 0 });
    world.failDiscovery = true;
    expect(failure(await routes.route('discovered', 'event', 'e-1')).code).toBe('REGIONS_DOWN');
    world.failDiscovery = false;
    expect(await routes.route('discovered', 'event', 'e-1')).toEqual({ kind: 'partition', partition: 'p-e-1' });
    expect(world.discoveries).toBe(2);
  });
});

describe('DeliveryHandler with partitioned connections (real inbox, lanes and runs in a SQLite store)', () => {
  const pipelines = [pipeline('listed-events', 'listed'), pipeline('discovered-events', 'discovered')];

  function handlerOn(name: string, options: { maxAttempts: number; rediscoverAfterMs: number; now?: () => number }) {
    const file = openStore(name);
    const metrics = new ServiceMetrics(
      { inboxDepth: () => 0, inboxCounts: () => undefined, openDeadLetters: () => new Map(), runningPipelines: () => [], limiterQueues: () => [] },
      { defaultMetrics: false },
    );
    const execute = createRunExecutor({ project, registry, store: file, log: quiet, metrics }, new LimiterWatch(registry, project, undefined));
    const lanes = new WebhookLanes({ gates: new PipelineGates(), execute, signal: new AbortController().signal, maxBatchRecords: 100, log: quiet });
    const handler = new DeliveryHandler({
      inbox: file,
      endpoints: buildWebhookEndpoints(project, registry, pipelines),
      lanes,
      partitions: new DeliveryPartitions({
        runtime: { project, registry, store: file, log: quiet },
        rediscoverAfterMs: options.rediscoverAfterMs,
        ...(options.now === undefined ? {} : { now: options.now }),
      }),
      metrics,
      log: quiet,
      maxAttempts: options.maxAttempts,
      retryBaseMs: 1,
      retryMaxMs: 1,
    });
    const deliver = async (connection: string, body: { id: string; region?: string }) => {
      const { id } = file.inboxPut({ connection, trigger: 'event', deliveryId: body.id, body: Buffer.from(JSON.stringify(body)) });
      const row = file.inboxGet(id);
      if (row === undefined) throw new Error('the delivery was not stored');
      return { id, outcome: await handler.process(row) };
    };
    return { file, handler, metrics, deliver };
  }

  it('runs each delivery in its partition, skips a region ferry.yaml does not list, and retries an unknown one until it is dead', async () => {
    const { file, handler, metrics, deliver } = handlerOn('handler', { maxAttempts: 2, rediscoverAfterMs: 60_000 });

    expect((await deliver('listed', { id: 'a', region: 'n-1' })).outcome).toBe('done');
    expect((await deliver('listed', { id: 'b', region: 'south' })).outcome).toBe('done');
    expect((await deliver('discovered', { id: 'c', region: 'w-1' })).outcome).toBe('done');
    expect(world.kept.map((record) => record['id'])).toEqual(['a', 'b', 'c']);
    expect(file.listRuns().map((run) => [run.pipeline, run.partition, run.trigger, run.status]).reverse()).toEqual([
      ['listed-events', 'north', 'webhook:listed/event', 'succeeded'],
      ['listed-events', 'south', 'webhook:listed/event', 'succeeded'],
      ['discovered-events', 'p-w-1', 'webhook:discovered/event', 'succeeded'],
    ]);

    // Not listed: done without a run, and counted as skipped.
    const skipped = await deliver('listed', { id: 'd', region: 'x-9' });
    expect(skipped.outcome).toBe('done');
    expect(file.inboxGet(skipped.id)).toMatchObject({ status: 'done', attempts: 1 });
    expect(file.listRuns()).toHaveLength(3);
    expect(await metrics.registry.getSingleMetricAsString('ferry_inbox_processed_total')).toContain('connection="listed",trigger="event",result="skipped"} 1');

    // Not discovered (and the list is fresh): failed, due again only once a discovery may run; dead at the last attempt.
    const unknown = await deliver('discovered', { id: 'e', region: 'nowhere' });
    expect(unknown.outcome).toBe('retry');
    expect(file.inboxGet(unknown.id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(file.inboxGet(unknown.id)?.lastError).toMatch(/^PARTITION_UNKNOWN: .*connection 'discovered'.*'nowhere'/);
    expect(handler.dueAt(unknown.id)).toBeGreaterThan(Date.now() + 50_000);
    const row = file.inboxGet(unknown.id);
    if (row === undefined) throw new Error('the delivery is gone');
    expect(await handler.process(row)).toBe('dead');
    expect(file.inboxGet(unknown.id)).toMatchObject({ status: 'dead', attempts: 2 });

    // No partition named at all.
    const nameless = await deliver('discovered', { id: 'f' });
    expect(nameless.outcome).toBe('retry');
    expect(file.inboxGet(nameless.id)?.lastError).toMatch(/^PARTITION_REQUIRED: /);
    expect(file.listRuns()).toHaveLength(3);
  });

  it('a location installed after the last discovery is found by the next one, and its delivery runs there', async () => {
    // The routes' clock moves only when the test moves it.
    const clock = { now: Date.now() };
    const started = clock.now;
    const { file, handler, deliver } = handlerOn('installed', { maxAttempts: 5, rediscoverAfterMs: 60_000, now: () => clock.now });
    expect((await deliver('discovered', { id: 'a', region: 'e-1' })).outcome).toBe('done');
    world.installed.push('s-2');
    const late = await deliver('discovered', { id: 'b', region: 's-2' });
    expect(late.outcome).toBe('retry');
    // Due again when the next discovery may run, not after the (shorter) backoff.
    expect(handler.dueAt(late.id)).toBe(started + 60_000);

    clock.now = started + 60_000;
    const row = file.inboxGet(late.id);
    if (row === undefined) throw new Error('the delivery is gone');
    expect(await handler.process(row)).toBe('done');
    expect(file.inboxGet(late.id)).toMatchObject({ status: 'done', attempts: 2 });
    expect(file.listRuns({ pipeline: 'discovered-events' }).map((run) => run.partition)).toEqual(['p-s-2', 'p-e-1']);
    expect(world.kept.map((record) => record['id'])).toEqual(['a', 'b']);
  });
});
