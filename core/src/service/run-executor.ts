import type { ConnectorDef } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { Logger } from '../contract/logger.js';
import type { PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import type { Store } from '../contract/store.js';
import type { TokenVault } from '../auth/token-vault.js';
import type { ConnectorRegistry } from '../config/connector-registry.js';
import type { Environment } from '../config/env-references.js';
import type { HttpStats } from '../contract/http.js';
import type { RunResult } from '../engine/run-types.js';
import { FerryError } from '../errors/ferry-error.js';
import { limiterFor } from '../http/limiter-registry.js';
import { combineRunSummaries, worstRunStatus } from '../runtime/combine-run-results.js';
import { hardStopSignal } from '../runtime/hard-stop.js';
import { createPartitionDirectory, type PartitionDirectory, type UnitRuntime } from '../runtime/partition-directory.js';
import { expandPipeline, type PipelineUnit } from '../runtime/pipeline-units.js';
import { runBounded } from '../runtime/run-bounded.js';
import { runPipelineUnit } from '../runtime/run-pipeline-unit.js';
import { SERVICE_DEFAULTS } from './service-options.js';
import { errorFields } from './error-fields.js';
import type { LimiterQueue, RunSource, ServiceMetrics } from './service-metrics.js';

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
  /** One partition of a partitioned pipeline (a queued unit, or the partition webhook records belong to); absent: every partition. */
  readonly partition?: string;
}

/**
 * A run's end: finished (any status), refused before reading (no token, unknown stream, …), or busy: not
 * started because the unit runs elsewhere now (queue workers), to be asked again later.
 */
export type RunOutcome =
  | { readonly kind: 'finished'; readonly result: RunResult }
  | { readonly kind: 'refused'; readonly error: unknown }
  | { readonly kind: 'busy' };

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
 * The rate limiters the service's runs have used, by connection and account (each partition of a connection has
 * its own), so that `/metrics` can show their queues. Limiters are shared per (connector, account): looking one
 * up again returns the one the runs use.
 */
export class LimiterWatch {
  readonly #used = new Map<string, { readonly connection: string; readonly connector: ConnectorDef; readonly account: string | undefined }>();

  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly project: ProjectSpec,
    private readonly timeScale: number | undefined,
  ) {}

  seen(context: ConnectorContext): void {
    const key = `${context.connection}\u0000${context.account ?? ''}`;
    if (this.#used.has(key)) return;
    const spec = this.project.connections[context.connection];
    const connector = spec === undefined ? undefined : this.registry.get(spec.connector);
    if (connector?.http === undefined) return;
    this.#used.set(key, { connection: context.connection, connector, account: context.account });
  }

  queues(): LimiterQueue[] {
    return [...this.#used.values()].map(({ connection, connector, account }) => {
      const limiter = limiterFor(connector.name, account ?? connection, connector.limits, this.timeScale === undefined ? {} : { timeScale: this.timeScale });
      return { connection, account: account ?? '', queued: limiter.stats().queued };
    });
  }
}

/** Partitions of one scheduled run that run at once (each has its own rate-limit budget). */
const PARTITIONS_AT_ONCE = 4;

/**
 * Runs pipelines for the service: each run gets its own context factory (its HTTP counters are the run's, its
 * stop signal aborts its calls), feeds the metrics as it goes and is logged when it ends. A scheduled run of a
 * partitioned pipeline runs every partition (a few at once), each as a run of its own. Never rejects.
 */
export function createRunExecutor(options: RunExecutorOptions, limiters: LimiterWatch): RunExecutor {
  return async (request) => {
    const { pipeline } = request;
    const log = options.log.child({ pipeline: pipeline.name, trigger: request.trigger });
    // A scheduled run's stop is graceful: its calls in flight are aborted only once the drain time is over. A
    // webhook run's stop already comes after the drain time.
    const drainMs = request.source === 'webhook' ? 0 : (options.drainTimeoutMs ?? SERVICE_DEFAULTS.drainTimeoutMs);
    const hardStop = hardStopSignal(request.signal, { drainMs });
    const runtime: UnitRuntime = {
      project: options.project,
      registry: options.registry,
      store: options.store,
      log,
      signal: hardStop.signal,
      ...(options.vault === undefined ? {} : { vault: options.vault }),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    };
    const directory = createPartitionDirectory(runtime);
    try {
      let units: PipelineUnit[];
      try {
        // Records run in one partition: the same records in every partition would write them once per partition.
        if (request.records !== undefined && request.partition === undefined && options.project.connections[pipeline.from.connection]?.partitions !== undefined) {
          throw new FerryError('PARTITION_REQUIRED', `pipeline '${pipeline.name}' is partitioned: records handed to it must say which partition they belong to`, {
            hint: 'pass the partition with the records (webhook deliveries are routed to theirs by the event\'s partition key)',
            details: { pipeline: pipeline.name },
          });
        }
        units = await expandPipeline(pipeline, directory, request.partition === undefined ? {} : { partition: request.partition });
      } catch (error) {
        options.metrics.run(pipeline.name, request.source).finished('error', undefined, 0);
        log.error({ error: errorFields(error) }, 'run refused before reading');
        return { kind: 'refused', error };
      }
      const outcomes = await runBounded(units, PARTITIONS_AT_ONCE, (unit) => runUnit(unit, runtime, directory, request, options, limiters));
      return combinedOutcome(outcomes.filter((outcome) => outcome !== undefined));
    } finally {
      hardStop.dispose();
      await directory.close().catch((error: unknown) => log.warn({ error: errorFields(error) }, 'closing the partition directory failed'));
    }
  };
}

async function runUnit(
  unit: PipelineUnit,
  runtime: UnitRuntime,
  directory: PartitionDirectory,
  request: RunRequest,
  options: RunExecutorOptions,
  limiters: LimiterWatch,
): Promise<RunOutcome> {
  const log = unit.partition === '' ? runtime.log : runtime.log.child({ partition: unit.partition });
  const started = performance.now();
  const meter = options.metrics.run(unit.pipeline.name, request.source);
  let calls: Readonly<Record<string, HttpStats>> = {};
  try {
    const result = await runPipelineUnit(unit, runtime, {
      signal: request.signal,
      trigger: request.trigger,
      directory,
      ...(request.records === undefined ? {} : { records: request.records }),
      onContext: (context) => limiters.seen(context),
      onProgress: (progress) => meter.progress(progress),
      onCalls: (stats) => {
        calls = stats;
        meter.calls(stats);
      },
    });
    meter.finished(result.status, result.summary, performance.now() - started);
    const fields = { runId: result.runId, status: result.status, summary: result.summary, ...(result.error === undefined ? {} : { error: errorFields(result.error) }) };
    if (result.status === 'failed') log.error(fields, 'run failed');
    else if (result.status === 'partial') log.warn(fields, 'run finished with dead letters');
    else log.info(fields, `run ${result.status}`);
    return { kind: 'finished', result };
  } catch (error) {
    meter.calls(calls);
    meter.finished('error', undefined, performance.now() - started);
    log.error({ error: errorFields(error) }, 'run refused before reading');
    return { kind: 'refused', error };
  }
}

/**
 * One outcome for the runs of a pipeline's partitions: refused only when every one was; else finished, with
 * the worst status and the summed counts (each partition's run has its own row; no single run id stands for all).
 */
function combinedOutcome(outcomes: readonly RunOutcome[]): RunOutcome {
  const [only] = outcomes;
  if (outcomes.length === 1 && only !== undefined) return only;
  const finished = outcomes.flatMap((outcome) => (outcome.kind === 'finished' ? [outcome.result] : []));
  const refused = outcomes.find((outcome) => outcome.kind === 'refused');
  if (finished.length === 0) {
    return refused ?? { kind: 'finished', result: { runId: undefined, status: 'succeeded', summary: combineRunSummaries([]) } };
  }
  const error = finished.find((result) => result.error !== undefined)?.error;
  return {
    kind: 'finished',
    result: {
      runId: undefined,
      status: refused === undefined ? worstRunStatus(finished.map((result) => result.status)) : 'failed',
      summary: combineRunSummaries(finished.map((result) => result.summary)),
      ...(error === undefined ? {} : { error }),
    },
  };
}
