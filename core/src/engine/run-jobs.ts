import type { JsonRecord } from '../contract/json-schema.js';
import type { PageTicket } from './checkpoint-tracker.js';

/** A record waiting for the destination. */
export interface WriteJob {
  readonly kind: 'write';
  readonly record: JsonRecord;
  readonly ticket: PageTicket;
  readonly mapped: JsonRecord;
  readonly sourceId: string | undefined;
  readonly hash: string;
  readonly linkedId: string | undefined;
  /** An earlier record with the same id still being written: wait for it, then look the link up again. */
  readonly after: WriteJob | undefined;
  done: boolean;
  waiters: (() => void)[] | undefined;
}

/** Records that go to an action with `runBatch` in one call: writes that wait for no other write. */
export interface BatchJob {
  readonly kind: 'batch';
  readonly writes: readonly WriteJob[];
}

/** A record whose filter or map is asynchronous (JSONata), evaluated inside the concurrency limit. */
export interface PrepareJob {
  readonly kind: 'prepare';
  readonly record: JsonRecord;
  readonly ticket: PageTicket;
  /** The filter still has to be applied. */
  readonly filter: boolean;
  /** Evaluations already started (a filter or map that answered with a promise without announcing it). */
  readonly startedWhere?: Promise<boolean>;
  readonly startedMap?: Promise<JsonRecord>;
}

/** Dry run of an action with `find`: look the destination record up to diff against it. */
export interface FindJob {
  readonly kind: 'find';
  readonly record: JsonRecord;
  readonly ticket: PageTicket;
  readonly mapped: JsonRecord;
  readonly sourceId: string | undefined;
  readonly linkedId: string | undefined;
}

/** A record that needs no write of its own (unchanged) whose included child streams still need reading. */
export interface ChildrenJob {
  readonly kind: 'children';
  readonly record: JsonRecord;
  readonly ticket: PageTicket;
  readonly sourceId: string;
  readonly targetId: string;
}

export type Job = WriteJob | BatchJob | PrepareJob | FindJob | ChildrenJob;

/** What the synchronous stages (`where`, `map`, validation) made of a record, before it is settled or queued. */
export type Staged =
  | { readonly kind: 'skip'; readonly record: JsonRecord }
  | { readonly kind: 'fail'; readonly record: JsonRecord; readonly error: unknown; readonly origin: string }
  | { readonly kind: 'mapped'; readonly record: JsonRecord; readonly mapped: JsonRecord; readonly sourceId: string | undefined }
  | PrepareJob;

/**
 * A page's jobs in source order. With a batch limit, writes that wait for no other write are grouped into batch
 * jobs of at most that many records; any other job closes the open batch first, so that a job that may wait for a
 * write always comes after it (the jobs start in this order, a bounded number at once).
 */
export class JobList {
  readonly #jobs: Job[] = [];
  readonly #batchLimit: number;
  #batch: WriteJob[] | undefined;

  /** `batchLimit` 0: no batches, every write is a job of its own. */
  constructor(batchLimit: number) {
    this.#batchLimit = batchLimit;
  }

  push(job: Job): void {
    if (this.#batchLimit > 0 && job.kind === 'write' && job.after === undefined) {
      const batch = (this.#batch ??= []);
      batch.push(job);
      if (batch.length >= this.#batchLimit) this.#closeBatch();
      return;
    }
    this.#closeBatch();
    this.#jobs.push(job);
  }

  /** The jobs, the last batch included. */
  done(): Job[] {
    this.#closeBatch();
    return this.#jobs;
  }

  #closeBatch(): void {
    if (this.#batch === undefined) return;
    this.#jobs.push({ kind: 'batch', writes: this.#batch });
    this.#batch = undefined;
  }
}
