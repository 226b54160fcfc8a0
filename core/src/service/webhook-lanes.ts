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
 * One queue per pipeline for webhook records. When the pipeline is free, everything that has queued up for it
 * (same trigger, up to `maxBatchRecords`) goes into ONE run: a burst of deliveries costs a few runs, not one
 * each, and the pipeline never runs twice at once. The store hands out at most one delivery per order key at a
 * time, so a batch never holds two deliveries that must keep their order.
 */
export class WebhookLanes {
  readonly #queues = new Map<string, LaneItem[]>();
  readonly #draining = new Map<string, Promise<void>>();
  #closed = false;

  constructor(private readonly options: WebhookLanesOptions) {}

  /** Queues a delivery's records for a pipeline; resolves with how the run that took them ended. */
  submit(pipeline: PipelineSpec, endpoint: string, records: readonly JsonRecord[]): Promise<LaneOutcome> {
    if (this.#closed) return Promise.resolve({ kind: 'deferred' });
    return new Promise<LaneOutcome>((settle) => {
      const queue = this.#queues.get(pipeline.name) ?? [];
      queue.push({ endpoint, records, settle });
      this.#queues.set(pipeline.name, queue);
      // #drain always waits for the gate before it can end, so the entry is set before it removes it.
      if (!this.#draining.has(pipeline.name)) this.#draining.set(pipeline.name, this.#drain(pipeline, queue));
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

  async #drain(pipeline: PipelineSpec, queue: LaneItem[]): Promise<void> {
    while (queue.length > 0 && !this.#closed) {
      const release = await this.options.gates.acquire(pipeline.name, 'webhook');
      try {
        if (this.#closed) break;
        const batch = this.#takeBatch(queue);
        const first = batch[0];
        if (first === undefined) break;
        const records = batch.flatMap((item) => item.records);
        this.options.log.debug({ pipeline: pipeline.name, deliveries: batch.length, records: records.length }, 'webhook run starts');
        const outcome = laneOutcomeOf(
          await this.options.execute({ pipeline, source: 'webhook', trigger: `webhook:${first.endpoint}`, records, signal: this.options.signal }),
        );
        for (const item of batch) item.settle(outcome);
      } finally {
        release();
      }
    }
    // Same tick as the last check of the queue: a later submit starts a new drain.
    this.#deferAll(queue);
    this.#queues.delete(pipeline.name);
    this.#draining.delete(pipeline.name);
  }

  /** The oldest item and the next ones of the same trigger, in order, up to the record limit (at least one). */
  #takeBatch(queue: LaneItem[]): LaneItem[] {
    const first = queue[0];
    if (first === undefined) return [];
    const batch: LaneItem[] = [];
    let records = 0;
    for (const item of queue) {
      if (item.endpoint !== first.endpoint) continue;
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
