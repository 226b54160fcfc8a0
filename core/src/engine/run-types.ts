import type { ConnectorDef, SyncMode } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { Logger } from '../contract/logger.js';
import type { PipelineSpec } from '../contract/pipeline.js';
import type { RunStatus, RunSummary, Store } from '../contract/store.js';
import type { FerryError } from '../errors/ferry-error.js';

/** Counters a context factory keeps for the HTTP calls of a run (summed over its connections). */
export interface RunCallStats {
  readonly apiCalls: number;
  readonly rateLimited: number;
  readonly retries: number;
  /** 0..1: share of the tightest rate window the run used while it was busy. */
  readonly utilization: number;
}

export interface RunProgress {
  readonly read: number;
  /** Records the destination created, updated or deleted. */
  readonly written: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly deadLettered: number;
  /** Records the source says it will yield, when it says so. */
  readonly total?: number;
  readonly recordsPerSecond: number;
  readonly elapsedMs: number;
}

export type PlanOutcome = 'create' | 'update' | 'unchanged' | 'skip' | 'error';

export interface FieldDiff {
  /** Dotted path of the field in the mapped record (`dndSettings.SMS.status`). */
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** What a run would do to one source record (dry run / `ferry plan`). */
export interface PlanEntry {
  readonly sourceId: string | undefined;
  readonly outcome: PlanOutcome;
  readonly targetId?: string;
  readonly diff: readonly FieldDiff[];
  /** Set when outcome is 'error': why the record would be dead-lettered. */
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string | undefined };
}

export interface RunPipelineOptions {
  readonly pipeline: PipelineSpec;
  /** Connector name → definition. */
  readonly registry: ReadonlyMap<string, ConnectorDef>;
  /** From ProjectSpec.connections: connection name → its connector. */
  readonly connections: Readonly<Record<string, { readonly connector: string }>>;
  readonly store: Store;
  /** Built by the caller (the runtime's context factory); called once per connection the pipeline uses. */
  context(connection: string): ConnectorContext;
  readonly log: Logger;
  /** Overrides `pipeline.from.sync` (`--full`). */
  readonly mode?: SyncMode;
  /** Plan only: compute what would happen, call no action, commit nothing. */
  readonly dryRun?: boolean;
  /** Stop after this many source records; the checkpoint covers only what was processed. */
  readonly limit?: number;
  /** `--param k=v`, merged over `from.params`. Given params mean a targeted read: the checkpoint stays put. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Records handed in by a trigger instead of reading the stream; the checkpoint stays put. */
  readonly records?: AsyncIterable<JsonRecord> | Iterable<JsonRecord>;
  /** The source connection's partition this run reads ('' or absent: the pipeline is not partitioned). */
  readonly partition?: string;
  /** 'manual' | 'schedule' | 'webhook:…' — stored on the run. */
  readonly trigger?: string;
  /** Graceful stop: stop reading, finish in-flight records, commit, resolve with status 'stopped'. */
  readonly signal?: AbortSignal;
  /** Called at most ten times a second, and once at the end. */
  onProgress?(progress: RunProgress): void;
  /** Dry run: one entry per source record. */
  onPlan?(entry: PlanEntry): void;
  /** HTTP counters from the context factory; the run reports the difference between its start and end. */
  stats?(): RunCallStats;
}

export interface RunResult {
  /** Undefined for a dry run, which records nothing. */
  readonly runId: number | undefined;
  readonly status: RunStatus;
  readonly summary: RunSummary;
  readonly error?: FerryError;
}

/**
 * A replay runs in one partition (`partition`, '' or absent when the pipeline is not partitioned) and takes only
 * the dead letters of that partition: each record goes back through the context it was read with.
 */
export interface ReplayDeadLettersOptions extends Omit<RunPipelineOptions, 'records' | 'mode'> {
  /** Replay only these dead letters (they must be open and belong to the pipeline and partition); default: all open ones. */
  readonly ids?: readonly number[];
}
