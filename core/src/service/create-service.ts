import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../contract/logger.js';
import { FerryError } from '../errors/ferry-error.js';
import { openTokenVault, type TokenVault } from '../auth/token-vault.js';
import { createContextFactory } from '../runtime/context-factory.js';
import type { UnitRuntime } from '../runtime/partition-directory.js';
import { DeliveryPartitions } from './delivery-partitions.js';
import { errorFields } from './error-fields.js';
import { replyJson } from './http-reply.js';
import { InboxProcessor } from './inbox-processor.js';
import { PipelineGates } from './pipeline-gates.js';
import { PipelineSchedules, type ScheduleInfo } from './pipeline-schedules.js';
import { LimiterWatch, createRunExecutor } from './run-executor.js';
import { checkServedScopes } from './served-scopes.js';
import { SERVICE_DEFAULTS, type ServiceOptions } from './service-options.js';
import { INBOX_SWEEP_ROWS } from './service-queue.js';
import { DEFAULT_ROTATION_SCHEDULE, TokenRotation } from './token-rotation.js';
import { ServiceMetrics } from './service-metrics.js';
import { buildWebhookEndpoints, describeWebhookEndpoints, type WebhookEndpointInfo } from './webhook-endpoints.js';
import { WebhookLanes } from './webhook-lanes.js';
import { parseWebhookPath, redactWebhookPath } from './webhook-path.js';
import { WebhookReceiver } from './webhook-receiver.js';

export interface FerryService {
  /**
   * Binds the port, arms the schedules and starts processing the inbox — deliveries left pending by an earlier
   * process first. Resolves with the base URL (`http://127.0.0.1:8787`).
   */
  start(): Promise<{ readonly url: string }>;
  /**
   * Graceful stop: new webhooks get 503, schedules stop, scheduled runs are aborted (the engine finishes its
   * in-flight records and checkpoints), webhook runs in progress get `drainTimeoutMs` to finish before they are
   * aborted too, deliveries not yet taken stay in the inbox for the next start, then the server closes.
   */
  stop(): Promise<void>;
  /** The Prometheus registry behind `GET /metrics`. */
  readonly metrics: Registry;
  /** The webhook endpoints some pipeline listens to (URL secrets masked). */
  readonly endpoints: readonly WebhookEndpointInfo[];
  /** The armed schedules with their next tick. */
  schedules(): ScheduleInfo[];
}

type ServiceState = 'idle' | 'running' | 'stopping' | 'stopped';

/** Seconds a sender is asked to wait before retrying while the service stops. */
const RETRY_AFTER_STOPPING_S = '30';
/** Open dead letters are counted by reading them; frequent scrapes reuse a count this young. */
const DEAD_LETTER_COUNT_TTL_MS = 15_000;
/** How long stop() waits for open requests before it drops their connections. */
const CLOSE_CONNECTIONS_AFTER_MS = 5_000;

function originOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * The long-running service behind `ferry serve`: receives webhooks into the durable inbox, runs the pipelines
 * that listen to them, runs scheduled pipelines, and answers `/healthz` and `/metrics`. Embeddable: the CLI only
 * loads the project and wires it.
 */
export function createService(options: ServiceOptions): FerryService {
  const settings = { ...SERVICE_DEFAULTS, ...definedOnly(options) };
  const log = options.log.child({ component: 'serve' });
  let startedAt = Date.now();
  let state: ServiceState = 'idle';
  let stopping: Promise<void> | undefined;

  // Queue mode: schedules and deliveries go to workers (`ferry worker`); this process only receives.
  const queue = options.queue;
  let queuedSchedules: ScheduleInfo[] = [];
  let inboxSweep: NodeJS.Timeout | undefined;
  const scheduleStop = new AbortController();
  const webhookStop = new AbortController();
  // Every run in progress listens on its stop signal (the engine and its hard stop): as many as run at once.
  setMaxListeners(0, scheduleStop.signal, webhookStop.signal);
  const gates = new PipelineGates();
  const limiters = new LimiterWatch(options.registry, options.project, options.timeScale);
  const metrics = new ServiceMetrics(
    {
      inboxDepth: () => options.store.inboxDepth(),
      inboxCounts: () => options.store.inboxCounts?.(),
      openDeadLetters: remembered(DEAD_LETTER_COUNT_TTL_MS, () => {
        const open = new Map<string, number>(options.pipelines.map((p) => [p.name, 0]));
        for (const letter of options.store.listDeadLetters({ status: 'open' })) open.set(letter.pipeline, (open.get(letter.pipeline) ?? 0) + 1);
        return open;
      }),
      runningPipelines: () => [...gates.running().keys()],
      limiterQueues: () => limiters.queues(),
      ...(queue === undefined ? {} : { queueDepths: () => queue.depths() }),
    },
    { defaultMetrics: settings.defaultMetrics !== false },
  );
  const execute = createRunExecutor(
    {
      project: options.project,
      registry: options.registry,
      store: options.store,
      log,
      metrics,
      vault: options.vault,
      env: options.env,
      timeScale: options.timeScale,
      drainTimeoutMs: settings.drainTimeoutMs,
    },
    limiters,
  );
  // One vault for the scope check and the rotations, opened on first need (it may create the key file).
  let vault = options.vault;
  const openVault = (): TokenVault =>
    (vault ??= openTokenVault({ store: options.store, projectDir: options.project.baseDir, ...(options.env === undefined ? {} : { env: options.env }) }));
  const rotation = new TokenRotation({
    project: options.project,
    registry: options.registry,
    vault: openVault,
    log,
    schedule: settings.rotate ?? options.project.serve.rotate ?? DEFAULT_ROTATION_SCHEDULE,
    timezone: options.timezone,
  });
  const endpoints = buildWebhookEndpoints(options.project, options.registry, options.pipelines);
  const lanes = new WebhookLanes({ gates, execute, signal: webhookStop.signal, maxBatchRecords: settings.maxBatchRecords, log });
  // Discovery for routing deliveries and the contexts for `verify` live as long as the service; runs get their own.
  const webhookRuntime: UnitRuntime = {
    project: options.project,
    registry: options.registry,
    store: options.store,
    log,
    signal: webhookStop.signal,
    ...(options.vault === undefined ? {} : { vault: options.vault }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
  };
  const partitions = new DeliveryPartitions({ runtime: webhookRuntime });
  const processor = new InboxProcessor({
    inbox: options.store,
    endpoints,
    lanes,
    partitions,
    metrics,
    log,
    maxAttempts: settings.maxAttempts,
    retryBaseMs: settings.retryBaseMs,
    retryMaxMs: settings.retryMaxMs,
    maxInFlight: settings.maxInFlight,
    pollMs: settings.inboxPollMs,
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  const schedules = new PipelineSchedules({ pipelines: options.pipelines, gates, execute, metrics, log, signal: scheduleStop.signal, timezone: options.timezone });
  const verifyContexts = createContextFactory(webhookRuntime);
  const receiver = new WebhookReceiver({
    project: options.project,
    registry: options.registry,
    endpoints,
    inbox: options.store,
    contexts: verifyContexts,
    metrics,
    log,
    maxBodyBytes: settings.maxBodyBytes,
    contentTypes: settings.contentTypes,
    onStored: (delivery) => {
      if (queue === undefined) processor.wake();
      else queue.drainInbox(delivery.connection, { promote: true }).catch((error: unknown) => log.error({ error: errorFields(error) }, 'asking a worker to process the delivery failed; the next inbox sweep asks again'));
    },
  });

  function health(response: ServerResponse): void {
    const runningPipelines = [...gates.running().keys()];
    const uptime = Math.round((Date.now() - startedAt) / 1000);
    let inboxDepth: number;
    try {
      inboxDepth = options.store.inboxDepth();
    } catch (error) {
      replyJson(response, 503, { status: 'error', uptime, runningPipelines, error: errorFields(error) });
      return;
    }
    const status = state === 'running' ? 'ok' : state;
    replyJson(response, state === 'running' ? 200 : 503, { status, uptime, inboxDepth, runningPipelines });
  }

  async function route(request: IncomingMessage, response: ServerResponse, requestLog: Logger): Promise<void> {
    const pathname = new URL(request.url ?? '/', 'http://service.invalid').pathname;
    if (pathname === '/healthz' || pathname === '/metrics') {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        replyJson(response, 405, { error: 'METHOD_NOT_ALLOWED', message: `${pathname} answers GET` }, { headers: { allow: 'GET, HEAD' } });
        return;
      }
      if (pathname === '/healthz') {
        health(response);
        return;
      }
      const text = await metrics.registry.metrics();
      response.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
      response.end(text);
      return;
    }
    const address = parseWebhookPath(pathname);
    if (address === 'outside' || address === 'invalid') {
      replyJson(response, 404, { error: 'NOT_FOUND', message: 'routes: POST /webhooks/<connection>/<trigger>[/<secret>], GET /healthz, GET /metrics' });
      return;
    }
    if (state !== 'running') {
      replyJson(response, 503, { error: 'SERVICE_STOPPING', message: 'the service is stopping; send the delivery again later' }, { headers: { 'retry-after': RETRY_AFTER_STOPPING_S }, close: true });
      return;
    }
    await receiver.receive(request, response, address, requestLog);
  }

  const server: Server = createServer({ requestTimeout: 30_000, headersTimeout: 15_000 }, (request, response) => {
    const requestLog = log.child({ method: request.method, path: redactWebhookPath(request.url ?? '/') });
    route(request, response, requestLog).catch((error: unknown) => {
      requestLog.error({ error: errorFields(error) }, 'request failed');
      if (!response.headersSent) replyJson(response, 500, { error: 'INTERNAL', message: 'the request failed; see the service log' }, { close: true });
      else response.destroy();
    });
  });

  function listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise<AddressInfo>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        reject(
          error.code === 'EADDRINUSE'
            ? new FerryError('SERVE_PORT_IN_USE', `port ${port} on ${host} is already in use`, {
                hint: 'stop the other process, or pick another port with --port or `serve.port` in ferry.yaml (0 picks a free one)',
              })
            : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
              ? new FerryError('SERVE_HOST_INVALID', `cannot listen on ${host}: no such interface on this machine`, {
                  hint: 'use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface) with --host or `serve.host` in ferry.yaml',
                })
              : error,
        );
      };
      const onListening = (): void => {
        server.off('error', onError);
        resolve(server.address() as AddressInfo);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, host);
    });
  }

  function closeServer(): Promise<void> {
    if (!server.listening) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_CONNECTIONS_AFTER_MS);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
  }

  async function stopGracefully(): Promise<void> {
    state = 'stopping';
    log.info({ running: [...gates.running().keys()], deliveriesInProgress: processor.inFlight }, 'stopping: finishing work in progress');
    schedules.stop();
    clearInterval(inboxSweep);
    rotation.stop();
    scheduleStop.abort(new Error('the service is stopping'));
    processor.stop();
    lanes.close();
    const drainLimit = setTimeout(() => webhookStop.abort(new Error('the service is stopping')), settings.drainTimeoutMs);
    try {
      await Promise.all([schedules.idle(), lanes.idle(), processor.idle(), rotation.idle()]);
    } finally {
      clearTimeout(drainLimit);
      webhookStop.abort(new Error('the service stopped'));
      await closeServer();
      await verifyContexts.close();
      state = 'stopped';
      log.info({ inboxDepth: safeDepth() }, 'stopped');
    }
  }

  /** Asks for a drain of every connection with deliveries in the inbox (left by a drainer that just finished, or by an earlier process). */
  async function sweepInbox(): Promise<void> {
    if (queue === undefined || state !== 'running') return;
    const connections = new Set(options.store.inboxNext(INBOX_SWEEP_ROWS).map((row) => row.connection));
    for (const connection of connections) await queue.drainInbox(connection);
  }

  function safeDepth(): number | undefined {
    try {
      return options.store.inboxDepth();
    } catch {
      return undefined;
    }
  }

  const endpointInfos = describeWebhookEndpoints(endpoints);
  for (const endpoint of endpointInfos) {
    if (!endpoint.verified) log.warn({ path: endpoint.path }, 'this webhook trigger does not verify deliveries: anyone who can reach the URL can post to it');
  }

  return {
    async start() {
      if (state !== 'idle') {
        throw new FerryError('SERVICE_ALREADY_STARTED', 'this service was already started', { hint: 'create a new service with createService() to serve again' });
      }
      state = 'running';
      startedAt = Date.now();
      let address: AddressInfo;
      try {
        // Refuse to serve pipelines whose tokens lack a scope: every run of theirs would fail.
        checkServedScopes(options.pipelines, options.project, options.registry, openVault, { log, ...(options.env === undefined ? {} : { env: options.env }) });
        address = await listen(settings.host ?? options.project.serve.host, settings.port ?? options.project.serve.port);
      } catch (error) {
        state = 'stopped';
        throw error;
      }
      if (queue === undefined) {
        processor.start();
        if (settings.schedules !== false) schedules.start();
      } else {
        try {
          if (settings.schedules !== false) queuedSchedules = await queue.armSchedules(options.pipelines, { timezone: options.timezone });
        } catch (error) {
          await closeServer();
          state = 'stopped';
          throw error;
        }
        const sweep = (): void => void sweepInbox().catch((error: unknown) => log.warn({ error: errorFields(error) }, 'the inbox sweep failed; trying again at the next one'));
        sweep();
        inboxSweep = setInterval(sweep, settings.inboxPollMs);
      }
      rotation.start();
      const url = originOf(address);
      const scheduleCount = queue === undefined ? schedules.describe().length : queuedSchedules.length;
      log.info({ url, webhooks: endpointInfos.map((e) => e.path), schedules: scheduleCount, ...(queue === undefined ? {} : { queue: queue.where }) }, 'serving');
      return { url };
    },
    stop() {
      if (state === 'idle') {
        state = 'stopped';
        return Promise.resolve();
      }
      stopping ??= state === 'stopped' ? Promise.resolve() : stopGracefully();
      return stopping;
    },
    metrics: metrics.registry,
    endpoints: endpointInfos,
    schedules: () => (queue === undefined ? schedules.describe() : queuedSchedules),
  };
}

/** `compute`, called again only once its last value is older than `ttlMs`. */
function remembered<T>(ttlMs: number, compute: () => T): () => T {
  let value: { readonly at: number; readonly value: T } | undefined;
  return () => {
    const now = Date.now();
    if (value === undefined || now - value.at >= ttlMs) value = { at: now, value: compute() };
    return value.value;
  };
}

/** Options without their undefined values, so that defaults apply to anything not given. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
