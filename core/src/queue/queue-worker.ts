import { setMaxListeners } from 'node:events';
import type { Job, Worker } from 'bullmq';
import { bullmq } from './bullmq-library.js';
import type { Redis } from 'ioredis';
import type { Logger } from '../contract/logger.js';
import type { PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import { setTokenRefreshLock } from '../auth/oauth-token-provider.js';
import type { ConnectorRegistry } from '../config/connector-registry.js';
import type { Environment } from '../config/env-references.js';
import { DistributedLock } from '../coordination/distributed-lock.js';
import { connectRedis } from '../coordination/redis-connection.js';
import type { UnitRuntime } from '../runtime/partition-directory.js';
import { DeliveryHandler } from '../service/delivery-handler.js';
import { DeliveryPartitions } from '../service/delivery-partitions.js';
import { errorFields } from '../service/error-fields.js';
import { PipelineGates } from '../service/pipeline-gates.js';
import { LimiterWatch, createRunExecutor } from '../service/run-executor.js';
import { ServiceMetrics } from '../service/service-metrics.js';
import { SERVICE_DEFAULTS } from '../service/service-options.js';
import type { ServiceStore } from '../service/service-store.js';
import { buildWebhookEndpoints } from '../service/webhook-endpoints.js';
import { WebhookLanes } from '../service/webhook-lanes.js';
import { ExclusiveUnits } from './exclusive-units.js';
import { processInboxJob } from './inbox-job.js';
import { DEFAULT_QUEUE_PREFIX, QUEUE_NAMES } from './queue-names.js';
import { processRunJob } from './run-job.js';
import { RunQueueProducer } from './run-queue-producer.js';
import { processTickJob } from './tick-job.js';

export interface QueueWorkerOptions {
  /** redis://host:port/db of the run queue. */
  readonly url: string;
  /** Key prefix of the queues and locks (default `ferry`); `serve --queue` must use the same. */
  readonly prefix?: string | undefined;
  readonly project: ProjectSpec;
  readonly pipelines: readonly PipelineSpec[];
  readonly registry: ConnectorRegistry;
  /** The store every worker and `serve` share: runs, checkpoints, tokens and the webhook inbox. */
  readonly store: ServiceStore;
  readonly log: Logger;
  readonly env?: Environment | undefined;
  readonly timeScale?: number | undefined;
  /** Runs (and inbox drains) this worker processes at once (default 2). */
  readonly concurrency?: number | undefined;
  /**
   * How long a job may go without its worker's heartbeat before another worker takes it over (default 30 s). It is
   * also the TTL of the unit locks, so a dead worker's units free up as fast.
   */
  readonly stallTimeoutMs?: number | undefined;
  /** How long a job whose unit runs elsewhere waits before it asks again (default 1 s). */
  readonly lockRetryMs?: number | undefined;
  /** How long a stop lets webhook runs finish before it stops them too (default 10 s). */
  readonly drainTimeoutMs?: number | undefined;
}

export const QUEUE_WORKER_DEFAULTS = {
  concurrency: 2,
  stallTimeoutMs: 30_000,
  lockRetryMs: 1_000,
} as const;

/** Times a job may be taken over from a stalled worker before it is failed (a job that kills its workers). */
const MAX_STALLED_COUNT = 3;

export interface QueueWorker {
  readonly prefix: string;
  readonly concurrency: number;
  readonly stallTimeoutMs: number;
  /**
   * Graceful stop: takes no more jobs; runs in progress stop at their checkpoint and their jobs go back on the
   * queue for another worker; webhook runs get `drainTimeoutMs` to finish; then the connections close.
   */
  stop(): Promise<void>;
}

/**
 * `ferry worker`: processes the run queue — run jobs (one run per unit at a time across all workers), schedule
 * ticks (expanded into run jobs) and inbox drains (the existing delivery processing, per connection). A worker
 * that dies mid-run loses its job to another worker after the stall timeout; that one resumes from the checkpoint.
 * Token refreshes of this process take a distributed lock, so two workers never refresh one account at once.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const prefix = options.prefix ?? DEFAULT_QUEUE_PREFIX;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? QUEUE_WORKER_DEFAULTS.concurrency));
  const stallTimeoutMs = Math.max(1_000, Math.round(options.stallTimeoutMs ?? QUEUE_WORKER_DEFAULTS.stallTimeoutMs));
  const lockRetryMs = options.lockRetryMs ?? QUEUE_WORKER_DEFAULTS.lockRetryMs;
  const drainTimeoutMs = options.drainTimeoutMs ?? SERVICE_DEFAULTS.drainTimeoutMs;
  const log = options.log.child({ component: 'worker' });
  const { store } = options;

  const producer = await RunQueueProducer.connect({ url: options.url, prefix, log });
  const opened: Redis[] = [];
  let workers: Worker[] = [];
  try {
    // Locks get a connection of their own: BullMQ blocks its connections while it waits for jobs.
    const lockRedis = await connectRedis(options.url, { purpose: 'distributed locks' });
    opened.push(lockRedis);
    const queueRedis = await connectRedis(options.url, { purpose: 'the run queue', maxRetriesPerRequest: null });
    opened.push(queueRedis);

    const lock = new DistributedLock({ redis: lockRedis, prefix, ttlMs: stallTimeoutMs });
    setTokenRefreshLock(store, lock);

    const runStop = new AbortController();
    const webhookStop = new AbortController();
    // Every run in progress listens on these signals.
    setMaxListeners(0, runStop.signal, webhookStop.signal);
    let stopping = false;

    const limiters = new LimiterWatch(options.registry, options.project, options.timeScale);
    const metrics = new ServiceMetrics(
      {
        inboxDepth: () => store.inboxDepth(),
        inboxCounts: () => store.inboxCounts?.(),
        openDeadLetters: () => new Map(),
        runningPipelines: () => [],
        limiterQueues: () => limiters.queues(),
      },
      { defaultMetrics: false },
    );
    const runtime: UnitRuntime = {
      project: options.project,
      registry: options.registry,
      store,
      log,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    };
    const execute = createRunExecutor(
      { project: options.project, registry: options.registry, store, log, metrics, env: options.env, timeScale: options.timeScale, drainTimeoutMs },
      limiters,
    );
    const units = new ExclusiveUnits({ lock, execute, store, log });
    const pipelines = new Map(options.pipelines.map((pipeline) => [pipeline.name, pipeline]));
    const lanes = new WebhookLanes({
      gates: new PipelineGates(),
      // Webhook records run their unit (the partition they were routed to) like any run: under its lock, `busy`
      // while it runs elsewhere.
      execute: ({ partition, ...request }) => units.run({ pipeline: request.pipeline.name, partition: partition ?? '' }, request),
      signal: webhookStop.signal,
      maxBatchRecords: SERVICE_DEFAULTS.maxBatchRecords,
      lanePerPartition: true,
      log,
    });
    const handler = new DeliveryHandler({
      inbox: store,
      endpoints: buildWebhookEndpoints(options.project, options.registry, options.pipelines),
      lanes,
      // Kept for the worker's life: discovered partitions are listed again only for keys they do not know.
      partitions: new DeliveryPartitions({ runtime: { ...runtime, signal: webhookStop.signal } }),
      metrics,
      log,
      maxAttempts: SERVICE_DEFAULTS.maxAttempts,
      retryBaseMs: SERVICE_DEFAULTS.retryBaseMs,
      retryMaxMs: SERVICE_DEFAULTS.retryMaxMs,
    });

    const workerOptions = {
      connection: queueRedis,
      prefix,
      lockDuration: stallTimeoutMs,
      stalledInterval: stallTimeoutMs,
      maxStalledCount: MAX_STALLED_COUNT,
      autorun: false,
    };
    const { Worker } = bullmq();
    const runsWorker = new Worker(QUEUE_NAMES.runs, (job: Job, token?: string) => processRunJob(job, token, { pipelines, units, signal: runStop.signal, lockRetryMs, log }), {
      ...workerOptions,
      concurrency,
    });
    const ticksWorker = new Worker(QUEUE_NAMES.ticks, (job: Job) => processTickJob(job, { pipelines, producer, runtime, log }), { ...workerOptions, concurrency: 1 });
    const inboxWorker = new Worker(
      QUEUE_NAMES.inbox,
      (job: Job, token?: string) =>
        processInboxJob(job, token, { inbox: store, handler, lock, maxInFlight: SERVICE_DEFAULTS.maxInFlight, lockRetryMs, stopping: () => stopping, log }),
      { ...workerOptions, concurrency },
    );
    workers = [runsWorker, ticksWorker, inboxWorker];
    for (const worker of workers) {
      worker.on('error', (error) => log.error({ queue: worker.name, error: error.message }, 'run queue error'));
      worker.on('failed', (job, error) => log.error({ queue: worker.name, job: job?.id, error: errorFields(error) }, 'job failed'));
    }
    await Promise.all(workers.map((worker) => worker.waitUntilReady()));
    for (const worker of workers) void worker.run().catch((error: unknown) => log.error({ queue: worker.name, error: errorFields(error) }, 'the worker stopped taking jobs'));
    log.info({ queue: producer.where, prefix, concurrency, stallTimeoutMs }, 'worker started');

    let stopped: Promise<void> | undefined;
    const stopGracefully = async (): Promise<void> => {
      stopping = true;
      log.info('stopping: runs in progress stop at their checkpoint and go back on the queue');
      // No new jobs first (close stops fetching at once, then waits for the jobs in progress), then stop the runs.
      const closing = Promise.all(workers.map((worker) => worker.close()));
      lanes.close();
      runStop.abort(new Error('the worker is stopping'));
      const drainLimit = setTimeout(() => webhookStop.abort(new Error('the worker is stopping')), drainTimeoutMs);
      try {
        await closing;
        await lanes.idle();
      } finally {
        clearTimeout(drainLimit);
        webhookStop.abort(new Error('the worker stopped'));
        setTokenRefreshLock(store, undefined);
        await producer.close();
        for (const redis of opened) redis.disconnect();
        log.info('stopped');
      }
    };
    return {
      prefix,
      concurrency,
      stallTimeoutMs,
      stop: () => (stopped ??= stopGracefully()),
    };
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.close(true)));
    setTokenRefreshLock(store, undefined);
    await producer.close();
    for (const redis of opened) redis.disconnect();
    throw error;
  }
}
