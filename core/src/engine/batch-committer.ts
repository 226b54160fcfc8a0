import type { BatchCommit, CheckpointKey, DeadLetterInsert, DeadLetterRetry, KeyValueWrite, LinkKey, LinkWrite, Store } from '../contract/store.js';
import { FerryError, isFerryError } from '../errors/ferry-error.js';
import type { CheckpointTracker } from './checkpoint-tracker.js';

/** A link this run wrote and has not committed yet. */
export interface RecentLink {
  readonly targetId: string;
  readonly hash: string;
}

export interface BatchCommitterOptions {
  /** Where batches go (the run's RunLookups, which passes them to the store). */
  readonly store: Pick<Store, 'commitBatch'>;
  /** Undefined for a dry run: nothing is ever committed. */
  readonly runId: number | undefined;
  /** Where the checkpoint goes; undefined when the run moves no cursor. */
  readonly checkpointKey: CheckpointKey | undefined;
  readonly tracker: CheckpointTracker;
  /** Acknowledged records per transaction. */
  readonly batchSize: number;
  /** Longest time acknowledged work waits for its commit. */
  readonly maxDelayMs: number;
  /** Called once when a commit fails: the run cannot go on without its store. */
  onFailure(error: FerryError): void;
}

/**
 * Gathers what acknowledged records change (links, dead letters, replayed ones) and commits it in ONE
 * transaction with the newest checkpoint that covers only acknowledged records: every `batchSize` records,
 * every `maxDelayMs`, and at the end. A link can be committed before the checkpoint reaches its record
 * (harmless: a replay then finds it), never after.
 */
export class BatchCommitter {
  readonly #options: BatchCommitterOptions;
  #links: LinkWrite[] = [];
  #deadLetters: DeadLetterInsert[] = [];
  #resolved: number[] = [];
  #retried: DeadLetterRetry[] = [];
  #unlinks: LinkKey[] = [];
  #values: KeyValueWrite[] = [];
  #acked = 0;
  #lastCommitAt = Date.now();
  #broken = false;
  /**
   * Links written and not yet committed: a later record with the same id must see them. A fresh Map per batch, not
   * `clear()`: a cleared Map's next table is allocated in the old generation once the Map is there, and the cleared
   * one keeps its entries until the next full collection (see WritesInFlight).
   */
  #recent = new Map<string, RecentLink>();

  constructor(options: BatchCommitterOptions) {
    this.#options = options;
  }

  /** True once a commit failed; nothing more is committed. */
  get broken(): boolean {
    return this.#broken;
  }

  recentLink(sourceId: string): RecentLink | undefined {
    return this.#recent.get(sourceId);
  }

  link(write: LinkWrite): void {
    this.#links.push(write);
    this.#recent.set(write.sourceId, { targetId: write.targetId, hash: write.hash });
  }

  /** The destination record is gone: the link goes (a later record with the same id sees no target). */
  unlink(key: LinkKey): void {
    this.#unlinks.push(key);
    this.#recent.set(key.sourceId, { targetId: '', hash: '' });
  }

  /** A key/value entry committed with the batch of the record it describes. */
  value(entry: KeyValueWrite): void {
    this.#values.push(entry);
  }

  deadLetter(letter: DeadLetterInsert): void {
    this.#deadLetters.push(letter);
  }

  /** A replayed dead letter landed. */
  resolved(id: number): void {
    this.#resolved.push(id);
  }

  /** A replayed dead letter failed again: its row takes the new error. */
  retried(retry: DeadLetterRetry): void {
    this.#retried.push(retry);
  }

  /** One more record acknowledged; commits when a batch is full. */
  acked(): void {
    this.#acked += 1;
    if (this.#acked >= this.#options.batchSize) this.flush();
  }

  /** Commits when acknowledged work has waited long enough (called by the run's timer). */
  flushIfDue(now: number): void {
    if (now - this.#lastCommitAt >= this.#options.maxDelayMs) this.flush();
  }

  flush(): void {
    this.#acked = 0;
    this.#lastCommitAt = Date.now();
    const { store, runId, checkpointKey, tracker } = this.#options;
    if (runId === undefined || this.#broken) return;
    const state = checkpointKey === undefined ? undefined : tracker.takeAdvance();
    const links = this.#links;
    const deadLetters = this.#deadLetters;
    const resolved = this.#resolved;
    const retried = this.#retried;
    const unlinks = this.#unlinks;
    const values = this.#values;
    if (
      state === undefined &&
      links.length === 0 &&
      deadLetters.length === 0 &&
      resolved.length === 0 &&
      retried.length === 0 &&
      unlinks.length === 0 &&
      values.length === 0
    ) {
      return;
    }
    this.#links = [];
    this.#deadLetters = [];
    this.#resolved = [];
    this.#retried = [];
    this.#unlinks = [];
    this.#values = [];
    const batch: BatchCommit = {
      runId,
      ...(checkpointKey === undefined || state === undefined ? {} : { checkpoint: { key: checkpointKey, state } }),
      links,
      deadLetters,
      ...(resolved.length === 0 ? {} : { resolvedDeadLetters: resolved }),
      ...(retried.length === 0 ? {} : { retriedDeadLetters: retried }),
      ...(unlinks.length === 0 ? {} : { unlinks }),
      ...(values.length === 0 ? {} : { values }),
    };
    try {
      store.commitBatch(batch);
      this.#recent = new Map();
    } catch (error) {
      this.#broken = true;
      this.#options.onFailure(
        isFerryError(error)
          ? error
          : new FerryError('STORE_FAILED', `could not commit a batch: ${String(error)}`, {
              hint: 'check that the store file is writable and the disk has room, then run again: it resumes from the last checkpoint',
              cause: error,
            }),
      );
    }
  }
}
