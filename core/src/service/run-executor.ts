import type { ConnectorDef } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { Logger } from '../contract/logger.js';
import type { PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import type { Store } from '../contract/store.js';
import type { TokenVault } from '../auth/token-vault.js';
import type { ConnectorRegistry } from '../config/connector-registry.js';
import type { Environment } from '../config/env-references.js';
import { runPipeline } from '../engine/run-pipeline.js';
import type { RunResult } from '../engine/run-types.js';
import { limiterFor } from '../http/limiter-registry.js';
import { createContextFactory } from '../runtime/context-factory.js';
import { hardStopSignal } from '../runtime/hard-stop.js';
import { combineHttpStats } from '../runtime/run-call-stats.js';
import { SERVICE_DEFAULTS } from './service-options.js';
import { errorFields } from './error-fields.js';
import type { RunSource, ServiceMetrics } from './service-metrics.js';

/** One run the service starts: a scheduled read, or the records of a batch of webhook deliveries. */
export interface RunRequest {
  readonly pipeline: PipelineSpec;
  readonly source: RunSource;
  /** Stored on the run: `schedule` or `webhook:<connection>/<trigger>`. */
  readonly trigger: string;
  /** Webhook records; absent for a scheduled run, which reads the source from its checkpoint. */
  readonly records?: readonly JsonRecord[];
  /** Graceful stop: the engine finishes in-flight records, commits and ends the run as `stopped`. */
  readonly signal: AbortSignal;
}

/** A run's end: finished (any status), or refused before reading (no token, unknown stream, …). */
export type RunOutcome = { readonly kind: 'finished'; readonly result: RunResult } | { readonly kind: 'refused'; readonly error: unknown };

export interface RunExecutorOptions {
  readonly project: ProjectSpec;
  readonly registry: ConnectorRegistry;
  readonly store: Store;
  readonly log: Logger;
  readonly metrics: ServiceMetrics;
  readonly vault?: TokenVault | undefined;
  readonly env?: Environment | undefined;
  readonly timeScale?: number | undefined;
  /** How long a stopping run's calls in flight may take before they are aborted (default 10 s). */
  readonly drainTimeoutMs?: number | undefined;
}

export type RunExecutor = (request: RunRequest) => Promise<RunOutcome>;

/**
 * The rate limiters the service's runs have used, by connection, so that `/metrics` can show their queues.
 * Limiters are shared per (connector, account): looking one up again returns the one the runs use.
 */
export class LimiterWatch {
  readonly #used = new Map<string, { readonly connector: ConnectorDef; readonly account: string }>();

  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly project: ProjectSpec,
    private readonly timeScale: number | undefined,
  ) {}

  seen(context: ConnectorContext): void {
    if (this.#used.has(context.connection)) return;
    const spec = this.project.connections[context.connection];
    const connector = spec === undefined ? undefined : this.registry.get(spec.connector);
    if (connector?.http === undefined) return;
    this.#used.set(context.connection, { connector, account: context.account ?? context.connection });
  }

  queues(): ReadonlyMap<string, number> {
    const queued = new Map<string, number>();
    for (const [connection, { connector, account }] of this.#used) {
      const limiter = limiterFor(connector.name, account, connector.limits, this.timeScale === undefined ? {} : { timeScale: this.timeScale });
      queued.set(connection, limiter.stats().queued);
    }
    return queued;
  }
}

/**
 * Runs pipelines for the service: each run gets its own context factory (its HTTP counters are the run's, its
 * stop signal aborts its calls), feeds the metrics as it goes and is logged when it ends. Never rejects.
 */
export function createRunExecutor(options: RunExecutorOptions, limiters: LimiterWatch): RunExecutor {
  return async (request) => {
    const { pipeline } = request;
    const log = options.log.child({ pipeline: pipeline.name, trigger: request.trigger });
    const started = performance.now();
    const meter = options.metrics.run(pipeline.name, request.source);
    // A scheduled run's stop is graceful: its calls in flight are aborted only once the drain time is over. A
    // webhook run's stop already comes after the drain time.
    const drainMs = request.source === 'webhook' ? 0 : (options.drainTimeoutMs ?? SERVICE_DEFAULTS.drainTimeoutMs);
    const hardStop = hardStopSignal(request.signal, { drainMs });
    const contexts = createContextFactory({
      project: options.project,
      registry: options.registry,
      store: options.store,
      log,
      signal: hardStop.signal,
      ...(options.vault === undefined ? {} : { vault: options.vault }),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    });
    try {
      const result = await runPipeline({
        pipeline,
        registry: options.registry,
        connections: options.project.connections,
        store: options.store,
        context: (connection) => {
          const context = contexts.context(connection);
          limiters.seen(context);
          return context;
        },
        log,
        signal: request.signal,
        trigger: request.trigger,
        ...(request.records === undefined ? {} : { records: request.records }),
        onProgress: (progress) => {
          meter.progress(progress);
          meter.calls(contexts.stats());
        },
        stats: () => combineHttpStats(contexts.stats()),
      });
      meter.calls(contexts.stats());
      meter.finished(result.status, result.summary, performance.now() - started);
      const fields = { runId: result.runId, status: result.status, summary: result.summary, ...(result.error === undefined ? {} : { error: errorFields(result.error) }) };
      if (result.status === 'failed') log.error(fields, 'run failed');
      else if (result.status === 'partial') log.warn(fields, 'run finished with dead letters');
      else log.info(fields, `run ${result.status}`);
      return { kind: 'finished', result };
    } catch (error) {
      meter.calls(contexts.stats());
      meter.finished('error', undefined, performance.now() - started);
      log.error({ error: errorFields(error) }, 'run refused before reading');
      return { kind: 'refused', error };
    } finally {
      hardStop.dispose();
      await contexts.close().catch((error: unknown) => log.warn({ error: errorFields(error) }, 'closing the run\'s connections failed'));
    }
  };
}
