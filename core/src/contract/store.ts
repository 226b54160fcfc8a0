import type { CheckpointState, ActionOutcome } from './connector.js';
import type { JsonRecord } from './json-schema.js';

/**
 * The store behind every run: SQLite by default, PostgreSQL when several machines share the work.
 * Every method is synchronous: the engine stages a page without awaiting, which keeps a million-record run close
 * to a hand-written loop. The PostgreSQL store keeps the contract by running its queries on a worker thread and
 * waiting for the answer (see core/src/store/README.md); the engine calls the store at page and batch boundaries,
 * looking a page's links, echoes and remembered values up with the batched methods when a store has them.
 */

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'stopped' | 'partial';

export interface RunSummary {
  readonly read: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly deleted: number;
  readonly skipped: number;
  readonly deadLettered: number;
  readonly apiCalls: number;
  readonly rateLimited: number;
  readonly retries: number;
  readonly utilization: number;
  readonly durationMs: number;
}

export interface RunRow {
  readonly id: number;
  readonly pipeline: string;
  readonly mode: string;
  readonly trigger: string;
  /** The partition (a location id) a run of a partitioned pipeline covers; '' when the run is not partitioned. */
  readonly partition: string;
  readonly status: RunStatus;
  readonly startedAt: string;
  readonly finishedAt: string | undefined;
  readonly summary: RunSummary | undefined;
  readonly error: string | undefined;
}

export interface CheckpointKey {
  readonly pipeline: string;
  readonly stream: string;
  /** '' when the pipeline is not partitioned; a location id when it is. */
  readonly partition: string;
}

export interface CheckpointRow extends CheckpointKey {
  readonly state: CheckpointState;
  readonly updatedAt: string;
}

/** Identifies "this source record, written to that destination entity". */
export interface LinkKey {
  readonly sourceConnection: string;
  readonly sourceStream: string;
  readonly sourceId: string;
  readonly targetConnection: string;
  /** Entity at the destination, e.g. `contacts` (from the action name) or a warehouse table. */
  readonly targetEntity: string;
}

export interface LinkRow extends LinkKey {
  readonly targetId: string;
  /** Hash of the mapped content this pipeline last wrote, per pipeline (different maps, different hashes). */
  readonly hash: string | undefined;
  /** The mapped content last written by this pipeline (for field-level diffs in `plan`). */
  readonly content: JsonRecord | undefined;
  readonly updatedAt: string;
}

export interface LinkWrite extends LinkKey {
  readonly pipeline: string;
  readonly targetId: string;
  readonly hash: string;
  readonly content: JsonRecord;
}

export interface DeadLetterInsert {
  readonly pipeline: string;
  readonly stream: string;
  readonly sourceId: string | undefined;
  readonly record: JsonRecord;
  readonly error: { readonly code: string; readonly message: string; readonly hint?: string | undefined };
  readonly attempts: number;
  /**
   * The partition (a location id) of the run that dead-lettered the record: a replay writes it back through that
   * partition's context. '' or absent when the pipeline is not partitioned.
   */
  readonly partition?: string | undefined;
}

export interface DeadLetterRow extends DeadLetterInsert {
  readonly id: number;
  readonly runId: number;
  /** '' when the record was dead-lettered by an unpartitioned run. */
  readonly partition: string;
  readonly status: 'open' | 'replayed' | 'discarded';
  readonly createdAt: string;
}

/** Everything one batch of acknowledged records changes, committed in ONE transaction. */
export interface BatchCommit {
  readonly runId: number;
  readonly checkpoint?: { readonly key: CheckpointKey; readonly state: CheckpointState };
  readonly links: readonly LinkWrite[];
  readonly deadLetters: readonly DeadLetterInsert[];
  /** Dead letters that a replay has now landed. */
  readonly resolvedDeadLetters?: readonly number[];
  /** Dead letters that a replay tried and that failed again: the same row takes the new error and attempts. */
  readonly retriedDeadLetters?: readonly DeadLetterRetry[];
  /** Links whose destination record is gone (a pruned child, a deleted task): removed with every pipeline's write. */
  readonly unlinks?: readonly LinkKey[];
  /** Key/value entries (`setValue`) that must land with this batch (what a record looked like when it was settled). */
  readonly values?: readonly KeyValueWrite[];
}

/** One `setValue` inside a batch. */
export interface KeyValueWrite {
  readonly namespace: string;
  readonly key: string;
  readonly value: string;
}

/** Which dead letters `listDeadLetters` returns; every field left out matches all. */
export interface DeadLetterFilter {
  readonly pipeline?: string | undefined;
  readonly partition?: string | undefined;
  readonly status?: DeadLetterRow['status'] | undefined;
  readonly limit?: number | undefined;
}

/** A replayed dead letter that failed again; it stays open (one row per record, never a duplicate). */
export interface DeadLetterRetry {
  readonly id: number;
  readonly error: DeadLetterInsert['error'];
  readonly attempts: number;
}

export interface OutcomeCount {
  readonly outcome: ActionOutcome;
  readonly count: number;
}

export interface Store {
  /** `partition` defaults to '' (not partitioned). */
  startRun(run: { pipeline: string; mode: string; trigger: string; partition?: string | undefined }): number;
  finishRun(id: number, result: { status: RunStatus; summary: RunSummary; error?: string }): void;
  /** Newest first; `partition` keeps the runs of one partition ('' for unpartitioned runs). */
  listRuns(options?: { pipeline?: string | undefined; partition?: string | undefined; limit?: number | undefined }): RunRow[];

  getCheckpoint(key: CheckpointKey): CheckpointState | undefined;
  listCheckpoints(pipeline?: string): CheckpointRow[];
  clearCheckpoint(key: CheckpointKey): void;

  getLink(key: LinkKey, pipeline: string): LinkRow | undefined;
  /**
   * Optional: `getLink` for many keys in one call (the engine looks a whole page up at once when a store has it).
   * One answer per key, in the order of `keys`; undefined where there is no link.
   */
  getLinks?(keys: readonly LinkKey[], pipeline: string): (LinkRow | undefined)[];
  /** Reverse look-up: which source record is linked to this destination id (echo detection). */
  findLinkByTarget(targetConnection: string, targetEntity: string, targetId: string): LinkRow | undefined;
  /**
   * Optional: `findLinkByTarget` among the links that come from one source connection (which Salesmsg contact this
   * GHL contact was written from), whatever other connections link to the same record.
   */
  findLinkFrom?(sourceConnection: string, targetConnection: string, targetEntity: string, targetId: string): LinkRow | undefined;
  /**
   * Optional: `findLinkByTarget` for many destination records of one entity in one call (a page's echo checks).
   * One answer per id, in the order of `targetIds`, each as `findLinkByTarget` gives it.
   */
  findLinksByTarget?(targetConnection: string, targetEntity: string, targetIds: readonly string[]): (LinkRow | undefined)[];
  /** Optional: `findLinkFrom` for many destination records of one entity in one call; one answer per id, in order. */
  findLinksFrom?(sourceConnection: string, targetConnection: string, targetEntity: string, targetIds: readonly string[]): (LinkRow | undefined)[];

  commitBatch(batch: BatchCommit): void;

  /** Oldest first; `partition` keeps the letters of one partition ('' for those of unpartitioned runs). */
  listDeadLetters(options?: DeadLetterFilter): DeadLetterRow[];
  setDeadLetterStatus(ids: readonly number[], status: DeadLetterRow['status']): void;

  /** Small key/value area for connectors and services (tokens live in their own encrypted table). */
  getValue(namespace: string, key: string): string | undefined;
  /** Optional: `getValue` for many keys of one namespace in one call; one answer per key, in the order of `keys`. */
  getValues?(namespace: string, keys: readonly string[]): (string | undefined)[];
  setValue(namespace: string, key: string, value: string): void;

  close(): void;
}
