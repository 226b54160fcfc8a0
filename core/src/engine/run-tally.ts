import type { ActionOutcome } from '../contract/connector.js';
import type { RunSummary } from '../contract/store.js';
import type { RunCallStats, RunProgress } from './run-types.js';

/** The counters of a run, from which progress reports and the final summary are made. */
export class RunTally {
  read = 0;
  created = 0;
  updated = 0;
  unchanged = 0;
  deleted = 0;
  skipped = 0;
  deadLettered = 0;
  /** Records the source says it holds, when it says so. */
  total: number | undefined;
  readonly startedAt = Date.now();
  readonly #statsBefore: RunCallStats | undefined;
  readonly #stats: (() => RunCallStats) | undefined;

  constructor(stats: (() => RunCallStats) | undefined) {
    this.#stats = stats;
    this.#statsBefore = stats?.();
  }

  /** What the destination said it did with a record. */
  count(outcome: ActionOutcome): void {
    switch (outcome) {
      case 'created':
        this.created += 1;
        break;
      case 'unchanged':
        this.unchanged += 1;
        break;
      case 'deleted':
        this.deleted += 1;
        break;
      case 'skipped':
        this.skipped += 1;
        break;
      default:
        this.updated += 1;
    }
  }

  progress(): RunProgress {
    const elapsedMs = Date.now() - this.startedAt;
    return {
      read: this.read,
      written: this.created + this.updated + this.deleted,
      unchanged: this.unchanged,
      skipped: this.skipped,
      deadLettered: this.deadLettered,
      ...(this.total === undefined ? {} : { total: this.total }),
      recordsPerSecond: elapsedMs > 0 ? Math.round((this.read * 1000) / elapsedMs) : 0,
      elapsedMs,
    };
  }

  /** The run's summary; HTTP counters are the difference since the run started (a service shares its clients). */
  summary(): RunSummary {
    const after = this.#stats?.();
    const before = this.#statsBefore;
    const delta = (field: 'apiCalls' | 'rateLimited' | 'retries'): number =>
      after === undefined ? 0 : Math.max(0, after[field] - (before?.[field] ?? 0));
    return {
      read: this.read,
      created: this.created,
      updated: this.updated,
      unchanged: this.unchanged,
      deleted: this.deleted,
      skipped: this.skipped,
      deadLettered: this.deadLettered,
      apiCalls: delta('apiCalls'),
      rateLimited: delta('rateLimited'),
      retries: delta('retries'),
      utilization: after?.utilization ?? 0,
      durationMs: Date.now() - this.startedAt,
    };
  }
}
