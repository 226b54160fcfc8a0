import type * as PromClient from 'prom-client';
import type { Counter, Histogram, Registry } from 'prom-client';
import type { HttpStats } from '../contract/http.js';
import type { RunStatus, RunSummary } from '../contract/store.js';
import type { RunProgress } from '../engine/run-types.js';
import { onFirstUse } from '../util/load-on-first-use.js';

/** prom-client loads with the service's metrics, not with every command. */
const promClient = onFirstUse<typeof PromClient>('prom-client');

/** What the service counts, in Prometheus terms (`GET /metrics`). */
export type DeliveryResult = 'accepted' | 'duplicate' | 'ignored' | 'rejected' | 'unavailable';
export type InboxResult = 'done' | 'retried' | 'dead' | 'skipped';
/** What started a run: a schedule, a webhook, or an explicit request on the run queue. */
export type RunSource = 'schedule' | 'webhook' | 'request';

/** Calls waiting in one rate limiter: one per (connection, account), so one per location of a partitioned connection. */
export interface LimiterQueue {
  readonly connection: string;
  /** The account the limiter budgets (a GHL location); '' when the connection names none. */
  readonly account: string;
  readonly queued: number;
}

/** Gauges read from live state on every scrape. */
export interface MetricSources {
  inboxDepth(): number;
  inboxCounts(): Readonly<Record<string, number>> | undefined;
  openDeadLetters(): ReadonlyMap<string, number>;
  runningPipelines(): readonly string[];
  limiterQueues(): readonly LimiterQueue[];
  /** Queue mode: jobs per queue and state. */
  queueDepths?(): Promise<ReadonlyMap<string, Readonly<Record<string, number>>>>;
}

/** A run's counters seen so far, so that progress reports add only what is new. */
export interface RunMeter {
  progress(progress: Pick<RunProgress, 'read' | 'written' | 'deadLettered'>): void;
  calls(perConnection: Readonly<Record<string, Readonly<HttpStats>>>): void;
  finished(status: RunStatus | 'error', summary: RunSummary | undefined, durationMs: number): void;
}

const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600];

export class ServiceMetrics {
  readonly registry: Registry = new (promClient().Registry)();
  readonly #recordsRead: Counter<'pipeline'>;
  readonly #recordsWritten: Counter<'pipeline'>;
  readonly #recordsDeadLettered: Counter<'pipeline'>;
  readonly #runs: Counter<'pipeline' | 'source' | 'status'>;
  readonly #runDuration: Histogram<'pipeline' | 'source'>;
  readonly #apiCalls: Counter<'connection'>;
  readonly #apiRateLimited: Counter<'connection'>;
  readonly #apiRetries: Counter<'connection'>;
  readonly #deliveries: Counter<'connection' | 'trigger' | 'result'>;
  readonly #inboxProcessed: Counter<'connection' | 'trigger' | 'result'>;
  readonly #scheduleTicks: Counter<'pipeline' | 'result'>;

  constructor(sources: MetricSources, options: { readonly defaultMetrics?: boolean } = {}) {
    const { Counter, Gauge, Histogram, collectDefaultMetrics } = promClient();
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.#recordsRead = new Counter({ name: 'ferry_records_read_total', help: 'Source records read, per pipeline', labelNames: ['pipeline'], registers });
    this.#recordsWritten = new Counter({
      name: 'ferry_records_written_total',
      help: 'Records the destination created, updated or deleted, per pipeline',
      labelNames: ['pipeline'],
      registers,
    });
    this.#recordsDeadLettered = new Counter({
      name: 'ferry_records_dead_lettered_total',
      help: 'Records that failed after their retries and went to the dead-letter table, per pipeline',
      labelNames: ['pipeline'],
      registers,
    });
    this.#runs = new Counter({
      name: 'ferry_runs_total',
      help: 'Finished runs by pipeline, what started them and how they ended (error: refused before reading)',
      labelNames: ['pipeline', 'source', 'status'],
      registers,
    });
    this.#runDuration = new Histogram({
      name: 'ferry_run_duration_seconds',
      help: 'Run duration, per pipeline and what started it',
      labelNames: ['pipeline', 'source'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#apiCalls = new Counter({ name: 'ferry_api_calls_total', help: 'API calls sent, per connection', labelNames: ['connection'], registers });
    this.#apiRateLimited = new Counter({
      name: 'ferry_api_rate_limited_total',
      help: 'API answers 429 (rate limited), per connection',
      labelNames: ['connection'],
      registers,
    });
    this.#apiRetries = new Counter({ name: 'ferry_api_retries_total', help: 'API calls retried, per connection', labelNames: ['connection'], registers });
    this.#deliveries = new Counter({
      name: 'ferry_webhook_deliveries_total',
      help: 'Webhook deliveries by result: accepted (stored), duplicate, ignored (no pipeline listens), rejected, unavailable',
      labelNames: ['connection', 'trigger', 'result'],
      registers,
    });
    this.#inboxProcessed = new Counter({
      name: 'ferry_inbox_processed_total',
      help: 'Inbox delivery attempts by result: done, retried (failed, tried again later), dead (given up), skipped (for a partition the project does not sync)',
      labelNames: ['connection', 'trigger', 'result'],
      registers,
    });
    this.#scheduleTicks = new Counter({
      name: 'ferry_schedule_ticks_total',
      help: 'Schedule ticks by result: started, or skipped because the pipeline was still running',
      labelNames: ['pipeline', 'result'],
      registers,
    });
    new Gauge({
      name: 'ferry_inbox_depth',
      help: 'Webhook deliveries waiting to be processed (pending and failed)',
      registers,
      collect() {
        this.set(sources.inboxDepth());
      },
    });
    new Gauge({
      name: 'ferry_inbox_deliveries',
      help: 'Webhook deliveries in the inbox by status',
      labelNames: ['status'],
      registers,
      collect() {
        const counts = sources.inboxCounts();
        if (counts === undefined) return;
        for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
      },
    });
    new Gauge({
      name: 'ferry_dead_letters_open',
      help: 'Open dead letters (waiting for a replay or a discard), per pipeline',
      labelNames: ['pipeline'],
      registers,
      collect() {
        this.reset();
        for (const [pipeline, count] of sources.openDeadLetters()) this.set({ pipeline }, count);
      },
    });
    new Gauge({
      name: 'ferry_running_pipelines',
      help: 'Pipelines running now',
      registers,
      collect() {
        this.set(sources.runningPipelines().length);
      },
    });
    if (sources.queueDepths !== undefined) {
      const depths = sources.queueDepths.bind(sources);
      new Gauge({
        name: 'ferry_queue_jobs',
        help: 'Jobs on the run queue (serve --queue), per queue (runs, ticks, inbox) and state (waiting, active, delayed, failed)',
        labelNames: ['queue', 'state'],
        registers,
        async collect() {
          this.reset();
          // Redis away: the other metrics are still worth a scrape; this one is left out until it answers.
          const byQueue = await depths().catch(() => new Map<string, Readonly<Record<string, number>>>());
          for (const [queue, counts] of byQueue) for (const [state, count] of Object.entries(counts)) this.set({ queue, state }, count);
        },
      });
    }
    new Gauge({
      name: 'ferry_limiter_queued_calls',
      help: 'API calls waiting in the rate limiter, per connection and account (limiters used since the start)',
      labelNames: ['connection', 'account'],
      registers,
      collect() {
        for (const { connection, account, queued } of sources.limiterQueues()) this.set({ connection, account }, queued);
      },
    });
  }

  delivery(connection: string, trigger: string, result: DeliveryResult): void {
    this.#deliveries.inc({ connection, trigger, result });
  }

  inboxProcessed(connection: string, trigger: string, result: InboxResult): void {
    this.#inboxProcessed.inc({ connection, trigger, result });
  }

  scheduleTick(pipeline: string, result: 'started' | 'skipped'): void {
    this.#scheduleTicks.inc({ pipeline, result });
  }

  /** Counters of one run, fed from its progress and its context factory, closed by its result. */
  run(pipeline: string, source: RunSource): RunMeter {
    let read = 0;
    let written = 0;
    let deadLettered = 0;
    const seenCalls = new Map<string, HttpStats>();
    const addRecords = (next: { read: number; written: number; deadLettered: number }): void => {
      if (next.read > read) this.#recordsRead.inc({ pipeline }, next.read - read);
      if (next.written > written) this.#recordsWritten.inc({ pipeline }, next.written - written);
      if (next.deadLettered > deadLettered) this.#recordsDeadLettered.inc({ pipeline }, next.deadLettered - deadLettered);
      read = Math.max(read, next.read);
      written = Math.max(written, next.written);
      deadLettered = Math.max(deadLettered, next.deadLettered);
    };
    return {
      progress: (progress) => addRecords(progress),
      calls: (perConnection) => {
        for (const [connection, stats] of Object.entries(perConnection)) {
          const seen = seenCalls.get(connection) ?? { calls: 0, retries: 0, rateLimited: 0, utilization: 0 };
          if (stats.calls > seen.calls) this.#apiCalls.inc({ connection }, stats.calls - seen.calls);
          if (stats.rateLimited > seen.rateLimited) this.#apiRateLimited.inc({ connection }, stats.rateLimited - seen.rateLimited);
          if (stats.retries > seen.retries) this.#apiRetries.inc({ connection }, stats.retries - seen.retries);
          seenCalls.set(connection, { ...stats });
        }
      },
      finished: (status, summary, durationMs) => {
        if (summary !== undefined) {
          addRecords({ read: summary.read, written: summary.created + summary.updated + summary.deleted, deadLettered: summary.deadLettered });
        }
        this.#runs.inc({ pipeline, source, status });
        this.#runDuration.observe({ pipeline, source }, durationMs / 1000);
      },
    };
  }
}
