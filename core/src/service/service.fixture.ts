import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { request } from 'undici';
import { defineConnector, type ConnectorDef, type TriggerDef, type WebhookDelivery } from '../contract/connector.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import { createConnectorRegistry, type ConnectorRegistry } from '../config/connector-registry.js';
import { loadPipelines } from '../config/pipeline-loader.js';
import { loadProject } from '../config/project-loader.js';
import { FerryError } from '../errors/ferry-error.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite-store.js';
import { createService, type FerryService } from './create-service.js';
import type { ServiceOptions } from './service-options.js';

/**
 * A webhook-capable test connector (`hooks`) and a temp project around it, for the service's tests. Deliveries
 * are JSON `{ type, contact, events: [{ id, name, seq }] }`; the `signed` trigger checks an HMAC-SHA256 of the
 * raw body, the `secret` trigger a URL secret, and the connector routes connection-wide deliveries by `type`.
 */

export const SIGNING_SECRET = 'whsec-test-0123456789';
export const URL_SECRET = 'url-secret-abcdef';

/** What the destination action saw, and switches that make it slow or fail. */
export class Sink {
  readonly written: JsonRecord[] = [];
  /** Ids of every write tried, failed ones included, in order. */
  readonly attempted: string[] = [];
  /** Source records the `events` stream serves to scheduled runs. */
  readonly source: JsonRecord[] = [];
  /** Runs that fail systemically before this many more writes fail. */
  failNext = 0;
  /** Fails every write while true. */
  failAlways = false;
  /** Records with these ids are refused one by one (dead-lettered, the run goes on). */
  readonly refuse = new Set<string>();
  /** Each write waits this long. */
  writeDelayMs = 0;
  /** Writes wait for this while it is set (a run held open until a test lets it go). */
  hold: Promise<void> | undefined;
  /** Each page of the stream waits this long. */
  readDelayMs = 0;
  reads = 0;
  concurrentReads = 0;
  maxConcurrentReads = 0;

  ids(): string[] {
    return this.written.map((record) => String(record['id']));
  }
}

function hmacHex(body: Buffer | string): string {
  return createHmac('sha256', SIGNING_SECRET).update(body).digest('hex');
}

function sameSecret(given: string, expected: string): boolean {
  // Digests have equal length whatever was given, so the comparison takes the same time.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function rejected(message: string): FerryError {
  return new FerryError('WEBHOOK_REJECTED', message, { hint: 'sign the body with the shared secret' });
}

function parseDelivery(delivery: WebhookDelivery): { deliveryId: string; records: JsonRecord[]; orderKey?: string } {
  let body: unknown;
  try {
    body = JSON.parse(delivery.rawBody.toString('utf8'));
  } catch (error) {
    throw new FerryError('WEBHOOK_REJECTED', 'the body is not JSON', { hint: 'send JSON', cause: error });
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as JsonRecord)['events'])) {
    throw new FerryError('WEBHOOK_REJECTED', 'the body has no events list', { hint: 'send { events: [...] }' });
  }
  const record = body as JsonRecord;
  const events = record['events'] as JsonRecord[];
  const header = delivery.headers['x-hooks-delivery'];
  const deliveryId = typeof record['deliveryId'] === 'string' ? record['deliveryId'] : (header ?? createHash('sha256').update(delivery.rawBody).digest('hex'));
  const contact = record['contact'];
  return { deliveryId, records: events, ...(typeof contact === 'string' ? { orderKey: contact } : {}) };
}

export function hooksConnector(sink: Sink): ConnectorDef {
  const signed: TriggerDef = {
    name: 'signed',
    description: 'Events signed with an HMAC-SHA256 of the body (x-hooks-signature, hex)',
    kind: 'webhook',
    stream: 'events',
    verify(_ctx, delivery) {
      const signature = delivery.headers['x-hooks-signature'];
      if (signature === undefined) throw rejected('no x-hooks-signature header');
      const expected = Buffer.from(hmacHex(delivery.rawBody), 'hex');
      const given = Buffer.from(signature, 'hex');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw rejected('x-hooks-signature does not match the body');
    },
    parse: parseDelivery,
  };
  const secret: TriggerDef = {
    name: 'secret',
    description: 'Events posted to a URL that ends with a secret',
    kind: 'webhook',
    stream: 'events',
    urlSecret: true,
    verify(ctx, delivery) {
      const expected = ctx.config['urlSecret'];
      if (typeof expected !== 'string' || delivery.pathSecret === undefined || !sameSecret(delivery.pathSecret, expected)) {
        throw rejected('the URL secret is missing or wrong');
      }
    },
    parse: parseDelivery,
  };
  const other: TriggerDef = { ...signed, name: 'other', description: 'Signed events no pipeline listens to' };
  return defineConnector({
    name: 'hooks',
    version: '1.0.0',
    description: 'Webhook test connector',
    configSchema: { type: 'object', properties: { urlSecret: { type: 'string' } }, additionalProperties: false },
    auth: [{ kind: 'none' }],
    streams: [
      {
        name: 'events',
        description: 'Events',
        schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, seq: { type: 'integer' } }, required: ['id'] },
        primaryKey: 'id',
        cursorField: 'seq',
        syncModes: ['incremental', 'full'],
        async *read(_ctx, readRequest) {
          sink.reads += 1;
          sink.concurrentReads += 1;
          sink.maxConcurrentReads = Math.max(sink.maxConcurrentReads, sink.concurrentReads);
          try {
            const after = typeof readRequest.state?.['seq'] === 'number' ? readRequest.state['seq'] : -1;
            if (sink.readDelayMs > 0) await sleep(sink.readDelayMs);
            const records = sink.source.filter((r) => typeof r['seq'] === 'number' && r['seq'] > after);
            const last = records.at(-1)?.['seq'];
            yield { records, state: { seq: typeof last === 'number' ? last : after } };
          } finally {
            sink.concurrentReads -= 1;
          }
        },
      },
    ],
    actions: [
      {
        name: 'events.write',
        description: 'Keeps the record in the sink',
        input: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
        idempotence: 'idempotent',
        async run(_ctx, action) {
          sink.attempted.push(String(action.input['id']));
          if (sink.writeDelayMs > 0) await sleep(sink.writeDelayMs);
          if (sink.hold !== undefined) await sink.hold;
          if (sink.failAlways || sink.failNext > 0) {
            if (sink.failNext > 0) sink.failNext -= 1;
            throw new FerryError('SINK_DOWN', 'the sink is down', { hint: 'wait for it', details: { systemic: true } });
          }
          if (sink.refuse.has(String(action.input['id']))) {
            throw new FerryError('SINK_REFUSED', `the sink refuses record ${String(action.input['id'])}`, { hint: 'fix the record and replay it' });
          }
          sink.written.push(action.input);
          return { outcome: 'created', id: String(action.input['id']) };
        },
      },
    ],
    triggers: [signed, secret, other],
    webhookRoute: (delivery) => {
      try {
        const body: unknown = JSON.parse(delivery.rawBody.toString('utf8'));
        const type = typeof body === 'object' && body !== null ? (body as JsonRecord)['type'] : undefined;
        return typeof type === 'string' ? type : undefined;
      } catch {
        return undefined;
      }
    },
  });
}

/** A connector whose action POSTs each record to an HTTP API (`config.baseUrl`), for the API-call metrics. */
export function apiConnector(): ConnectorDef {
  return defineConnector({
    name: 'api',
    version: '1.0.0',
    description: 'HTTP test destination',
    configSchema: { type: 'object', properties: { baseUrl: { type: 'string' } }, required: ['baseUrl'], additionalProperties: false },
    auth: [{ kind: 'none' }],
    http: { baseUrl: (config) => String(config['baseUrl']) },
    streams: [],
    actions: [
      {
        name: 'things.create',
        description: 'POST /things',
        input: { type: 'object' },
        idempotence: 'idempotent',
        async run(ctx, action) {
          await ctx.http.request({ method: 'POST', path: '/things', body: action.input, retrySafe: true });
          return { outcome: 'created', id: String(action.input['id']) };
        },
      },
    ],
    triggers: [],
  });
}

/** A temp project: ferry.yaml with a `hooks` connection and the given pipeline files. */
export class ServiceProject {
  readonly dir = mkdtempSync(join(tmpdir(), 'ferry-serve-'));
  readonly sink = new Sink();
  readonly registry: ConnectorRegistry = createConnectorRegistry([hooksConnector(this.sink), apiConnector()]);
  project!: ProjectSpec;
  pipelines: PipelineSpec[] = [];
  store!: SqliteStore;
  readonly services: FerryService[] = [];

  /** `apiBaseUrl` adds an `api` connection whose action POSTs to that URL. */
  constructor(pipelineFiles: Readonly<Record<string, string>>, options: { readonly apiBaseUrl?: string } = {}) {
    const api = options.apiBaseUrl === undefined ? [] : ['  api:', '    connector: api', `    config: { baseUrl: "${options.apiBaseUrl}" }`];
    writeFileSync(
      join(this.dir, 'ferry.yaml'),
      ['store: ./ferry.db', 'connections:', '  hooks:', '    connector: hooks', `    config: { urlSecret: ${URL_SECRET} }`, ...api, 'pipelines: [pipelines/*.yaml]', ''].join('\n'),
    );
    mkdirSync(join(this.dir, 'pipelines'));
    for (const [name, text] of Object.entries(pipelineFiles)) writeFileSync(join(this.dir, 'pipelines', `${name}.yaml`), text);
    this.project = loadProject(join(this.dir, 'ferry.yaml'), { registry: this.registry, env: {} });
    this.pipelines = loadPipelines(this.project, this.registry, {});
    this.store = openSqliteStore(join(this.dir, 'ferry.db'));
  }

  /** A service on a free loopback port with quick retries; started. */
  async start(overrides: Partial<ServiceOptions> = {}): Promise<{ service: FerryService; url: string }> {
    const service = createService({
      project: this.project,
      pipelines: this.pipelines,
      registry: this.registry,
      store: this.store,
      log: pino({ level: 'silent' }),
      port: 0,
      host: '127.0.0.1',
      retryBaseMs: 20,
      retryMaxMs: 40,
      inboxPollMs: 20,
      defaultMetrics: false,
      env: {},
      ...overrides,
    });
    this.services.push(service);
    const { url } = await service.start();
    return { service, url };
  }

  /** Closes the store and opens it again, as a new process would. */
  reopenStore(): void {
    this.store.close();
    this.store = openSqliteStore(join(this.dir, 'ferry.db'));
  }

  async dispose(): Promise<void> {
    for (const service of this.services) await service.stop();
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A pipeline file that writes `events` records to the sink, triggered by the given `on:` lines. */
export function sinkPipeline(name: string, on: readonly string[]): string {
  return [`name: ${name}`, 'on:', ...on.map((line) => `  - ${line}`), 'from: { connection: hooks, stream: events, sync: incremental }', 'to: { connection: hooks, action: events.write }', ''].join('\n');
}

export interface Delivery {
  readonly deliveryId?: string;
  readonly contact?: string;
  readonly type?: string;
  readonly events: readonly JsonRecord[];
}

export interface PostResult {
  readonly status: number;
  readonly body: JsonRecord;
}

/** POSTs raw bytes over a real loopback socket. */
export async function post(url: string, body: string | Buffer, headers: Readonly<Record<string, string>> = {}): Promise<PostResult> {
  const response = await request(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const text = await response.body.text();
  return { status: response.statusCode, body: text === '' ? {} : (JSON.parse(text) as JsonRecord) };
}

/** POSTs a delivery to the signed trigger with a valid (or the given) signature. */
export function postSigned(baseUrl: string, delivery: Delivery, options: { signature?: string; path?: string } = {}): Promise<PostResult> {
  const body = JSON.stringify(delivery);
  return post(`${baseUrl}${options.path ?? '/webhooks/hooks/signed'}`, body, { 'x-hooks-signature': options.signature ?? hmacHex(body) });
}

export function signatureOf(body: string): string {
  return hmacHex(body);
}

export async function getJson(url: string): Promise<PostResult> {
  const response = await request(url);
  const text = await response.body.text();
  return { status: response.statusCode, body: JSON.parse(text) as JsonRecord };
}

export async function getText(url: string): Promise<{ status: number; text: string; contentType: string | undefined }> {
  const response = await request(url);
  const contentType = response.headers['content-type'];
  return { status: response.statusCode, text: await response.body.text(), contentType: typeof contentType === 'string' ? contentType : undefined };
}

/** Polls until `check` holds (or throws after `timeoutMs` with what it last saw). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The value of one sample of a metric in Prometheus text (`name{labels} value`), 0 when absent. */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found = new Map([...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found.get(key) === value)) return Number(match[3]);
  }
  return 0;
}
