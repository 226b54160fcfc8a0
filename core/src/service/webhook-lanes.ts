import type { JsonRecord } from '../contract/json-schema.js';
import type { Logger } from '../contract/logger.js';
import type { PipelineSpec } from '../contract/pipeline.js';
import { errorLine } from './error-fields.js';
import type { PipelineGates } from './pipeline-gates.js';
import type { RunExecutor, RunOutcome } from './run-executor.js';

/**
 * How one pipeline handled a delivery's records: ok (written, or dead-lettered record by record), failed (the run
 * failed or was refused: try the delivery again later), or deferred (the service stopped first, or the pipeline
 * runs elsewhere now: the delivery stays in the inbox as it was and is processed later).
 */
export type LaneOutcome = { readonly kind: 'ok' } | { readonly kind: 'failed'; readonly error: string } | { readonly kind: 'deferred' };

interface LaneItem {
  /** `<connection>/<trigger>` the records came from. */
  readonly endpoint: string;
  /** The partition the records belong to; undefined when the pipeline is not partitioned. */
  readonly partition: string | undefined;
  readonly records: readonly JsonRecord[];
  readonly settle: (outcome: LaneOutcome) => void;
}

export interface WebhookLanesOptions {
  readonly gates: PipelineGates;
  readonly execute: RunExecutor;
  /** Aborts webhook runs (after the drain period of a stop). */
  readonly signal: AbortSignal;
  /** Most records in one webhook run; a single larger delivery still runs whole. */
  readonly maxBatchRecords: number;
  /**
   * One lane per (pipeline, partition) instead of one per pipeline: partitions run side by side (queue workers,
   * where each unit runs under its own lock). Default one per pipeline, whose gate the schedules share.
   */
  readonly lanePerPartition?: boolean;
  readonly log: Logger;
}

function laneOutcomeOf(outcome: RunOutcome): LaneOutcome {
  if (outcome.kind === 'refused') return { kind: 'failed', error: errorLine(outcome.error) };
  if (outcome.kind === 'busy') return { kind: 'deferred' };
  const { result } = outcome;
  switch (result.status) {
    case 'succeeded':
    case 'partial':
      return { kind: 'ok' };
    case 'stopped':
      return { kind: 'deferred' };
    default:
      return { kind: 'failed', error: result.error === undefined ? `the run ended ${result.status}` : errorLine(result.error) };
  }
}

/**
 * One queue per pipeline for webhook records (or per partition, see `lanePerPartition`). When the pipeline is
 * free, everything that has queued up for it (same trigger and same partition, up to `maxBatchRecords`) goes into
 * ONE run: a burst of deliveries costs a few runs, not one each, and a lane never runs twice at once. The store
 * hands out at most one delivery per order key at a time, so a batch never holds two deliveries that must keep
 * their order.
 */
export class WebhookLanes {
  readonly #queues = new Map<string, LaneItem[]>();
  readonly #draining = new Map<string, Promise<void>>();
  #closed = false;

  constructor(private readonly options: WebhookLanesOptions) {}

  /**
   * Queues a delivery's records for a pipeline (for one of its partitions when it is partitioned); resolves with how
   * the run that took them ended.
   */
  submit(pipeline: PipelineSpec, endpoint: string, records: readonly JsonRecord[], partition?: string): Promise<LaneOutcome> {
    if (this.#closed) return Promise.resolve({ kind: 'deferred' });
    const lane = this.options.lanePerPartition === true && partition !== undefined ? `${pipeline.name}\u0000${partition}` : pipeline.name;
    return new Promise<LaneOutcome>((settle) => {
      const queue = this.#queues.get(lane) ?? [];
      queue.push({ endpoint, partition, records, settle });
      this.#queues.set(lane, queue);
      // #drain always waits for the gate before it can end, so the entry is set before it removes it.
      if (!this.#draining.has(lane)) this.#draining.set(lane, this.#drain(lane, pipeline, queue));
    });
  }

  /** Starts no more runs; queued records are settled as deferred. Runs in progress go on (see `idle`). */
  close(): void {
    this.#closed = true;
    for (const queue of this.#queues.values()) this.#deferAll(queue);
  }

  /** Resolves once no webhook run is in progress. */
  async idle(): Promise<void> {
    while (this.#draining.size > 0) await Promise.all(this.#draining.values());
  }

  async #drain(lane: string, pipeline: PipelineSpec, queue: LaneItem[]): Promise<void> {
    while (queue.length > 0 && !this.#closed) {
      const release = await this.options.gates.acquire(lane, 'webhook');
      try {
        if (this.#closed) break;
        const batch = this.#takeBatch(queue);
        const first = batch[0];
        if (first === undefined) break;
        const records = batch.flatMap((item) => item.records);
        const partition = first.partition === undefined ? {} : { partition: first.partition };
        this.options.log.debug({ pipeline: pipeline.name, ...partition, deliveries: batch.length, records: records.length }, 'webhook run starts');
        const outcome = laneOutcomeOf(
          await this.options.execute({ pipeline, source: 'webhook', trigger: `webhook:${first.endpoint}`, records, signal: this.options.signal, ...partition }),
        );
        for (const item of batch) item.settle(outcome);
      } finally {
        release();
      }
    }
    // Same tick as the last check of the queue: a later submit starts a new drain.
    this.#deferAll(queue);
    this.#queues.delete(lane);
    this.#draining.delete(lane);
  }

  /** The oldest item and the next ones of the same trigger and partition, in order, up to the record limit (at least one). */
  #takeBatch(queue: LaneItem[]): LaneItem[] {
    const first = queue[0];
    if (first === undefined) return [];
    const batch: LaneItem[] = [];
    let records = 0;
    for (const item of queue) {
      if (item.endpoint !== first.endpoint || item.partition !== first.partition) continue;
      if (batch.length > 0 && records + item.records.length > this.options.maxBatchRecords) break;
      batch.push(item);
      records += item.records.length;
    }
    const taken = new Set(batch);
    const rest = queue.filter((item) => !taken.has(item));
    queue.splice(0, queue.length, ...rest);
    return batch;
  }

  #deferAll(queue: LaneItem[]): void {
    for (const item of queue.splice(0)) item.settle({ kind: 'deferred' });
  }
}
