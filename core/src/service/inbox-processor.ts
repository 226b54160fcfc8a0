import { Subject, merge, timer, type Subscription } from 'rxjs';
import type { Logger } from '../contract/logger.js';
import type { TriggerEvent } from '../contract/connector.js';
import { backoffDelay } from '../http/backoff.js';
import type { InboxDelivery, WebhookInbox } from '../store/webhook-inbox.js';
import { errorFields, errorLine } from './error-fields.js';
import type { ServiceMetrics } from './service-metrics.js';
import { endpointKey, type WebhookEndpoint } from './webhook-endpoints.js';
import type { LaneOutcome, WebhookLanes } from './webhook-lanes.js';

export interface InboxProcessorOptions {
  readonly inbox: WebhookInbox;
  readonly endpoints: ReadonlyMap<string, WebhookEndpoint>;
  readonly lanes: WebhookLanes;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
  /** Attempts before a delivery is marked dead. */
  readonly maxAttempts: number;
  /** Backoff between attempts: exponential from `retryBaseMs`, capped at `retryMaxMs`, with full jitter. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Deliveries in progress at once (each of another order key). */
  readonly maxInFlight: number;
  /** How often the inbox is looked at when nothing wakes the processor (retries due, other writers). */
  readonly pollMs: number;
  readonly random?: () => number;
}

/**
 * Takes pending deliveries from the durable inbox and hands their records to the pipelines that listen to
 * them. The store gives out only the oldest unfinished delivery of each order key, so deliveries of one contact
 * are processed one after the other, in the order they came. A delivery is marked `done` once every pipeline
 * took its records; a failed one is tried again after a backoff and marked `dead` after `maxAttempts`.
 */
export class InboxProcessor {
  readonly #inFlight = new Map<number, Promise<void>>();
  /** Delivery id → when its next attempt is due (in memory: after a restart, failed deliveries are due at once). */
  readonly #notBefore = new Map<number, number>();
  /** Delivery id → pipelines that already took its records, so that a retry runs only the ones that failed. */
  readonly #completed = new Map<number, Set<string>>();
  readonly #wake = new Subject<void>();
  #subscription: Subscription | undefined;
  #stopped = false;

  constructor(private readonly options: InboxProcessorOptions) {}

  /** Picks up what is pending now (deliveries survive restarts), then whatever arrives. */
  start(): void {
    this.#subscription = merge(timer(0, this.options.pollMs), this.#wake).subscribe(() => this.#fill());
  }

  /** Looks at the inbox now (a delivery was just stored). */
  wake(): void {
    this.#wake.next();
  }

  /** Takes no more deliveries; the ones in progress finish (see `idle`). */
  stop(): void {
    this.#stopped = true;
    this.#subscription?.unsubscribe();
  }

  /** Resolves when no delivery is in progress. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
  }

  /** Deliveries being processed now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  #fill(): void {
    if (this.#stopped) return;
    const room = this.options.maxInFlight - this.#inFlight.size;
    if (room <= 0) return;
    let rows: InboxDelivery[];
    try {
      // Enough rows to find `room` new ones behind those in progress or waiting out a backoff.
      rows = this.options.inbox.inboxNext(room + this.#inFlight.size + this.#notBefore.size);
    } catch (error) {
      this.options.log.error({ error: errorFields(error) }, 'reading the webhook inbox failed; trying again at the next poll');
      return;
    }
    const now = Date.now();
    let started = 0;
    for (const row of rows) {
      if (started >= room) break;
      if (this.#inFlight.has(row.id) || (this.#notBefore.get(row.id) ?? 0) > now) continue;
      started += 1;
      const processing = this.#process(row)
        .catch((error: unknown) => this.options.log.error({ delivery: row.id, error: errorFields(error) }, 'processing a delivery failed unexpectedly'))
        .finally(() => {
          this.#inFlight.delete(row.id);
          // The next delivery of the same order key may be waiting for this one.
          if (!this.#stopped) this.#wake.next();
        });
      this.#inFlight.set(row.id, processing);
    }
  }

  async #process(row: InboxDelivery): Promise<void> {
    const key = endpointKey(row.connection, row.trigger);
    const log = this.options.log.child({ delivery: row.id, deliveryId: row.deliveryId, webhook: key });
    const endpoint = this.options.endpoints.get(key);
    if (endpoint === undefined) {
      this.#finish(row, 'dead', `WEBHOOK_ENDPOINT_GONE: the project no longer has a webhook trigger ${key}`, log);
      return;
    }
    let event: TriggerEvent;
    try {
      // The inbox keeps the body, not the headers: records must come from the body (they do for every connector).
      event = endpoint.parse({ headers: {}, rawBody: row.body, receivedAt: new Date(row.receivedAt) });
    } catch (error) {
      // It parsed when it arrived; a body that no longer parses will not parse on a retry either.
      this.#finish(row, 'dead', errorLine(error), log);
      return;
    }
    if (endpoint.pipelines.length === 0) log.info('no pipeline listens to this webhook any more: the delivery is marked done');
    const completed = this.#completed.get(row.id) ?? new Set<string>();
    const pending = endpoint.pipelines.filter((pipeline) => !completed.has(pipeline.name));
    const outcomes = await Promise.all(
      pending.map(async (pipeline): Promise<[string, LaneOutcome]> => [pipeline.name, await this.options.lanes.submit(pipeline, key, event.records)]),
    );
    for (const [name, outcome] of outcomes) if (outcome.kind === 'ok') completed.add(name);
    if (outcomes.some(([, outcome]) => outcome.kind === 'deferred')) {
      // Stopped before every pipeline had the records: left as it is, processed again after the next start.
      this.#completed.set(row.id, completed);
      return;
    }
    const failures = outcomes.flatMap(([name, outcome]) => (outcome.kind === 'failed' ? [`${name}: ${outcome.error}`] : []));
    if (failures.length === 0) {
      this.#finish(row, 'done', undefined, log);
      return;
    }
    this.#completed.set(row.id, completed);
    const attempts = row.attempts + 1;
    const error = failures.join('; ');
    if (attempts >= this.options.maxAttempts) {
      this.#finish(row, 'dead', error, log);
      return;
    }
    const delayMs = backoffDelay(attempts, this.options.retryBaseMs, this.options.retryMaxMs, this.options.random);
    if (this.#mark(row, 'failed', error, log)) {
      this.#notBefore.set(row.id, Date.now() + delayMs);
      this.options.metrics.inboxProcessed(row.connection, row.trigger, 'retried');
      log.warn({ attempts, retryInMs: delayMs, error }, 'delivery failed; it will be tried again');
    }
  }

  #finish(row: InboxDelivery, status: 'done' | 'dead', error: string | undefined, log: Logger): void {
    if (!this.#mark(row, status, error, log)) return;
    this.#notBefore.delete(row.id);
    this.#completed.delete(row.id);
    this.options.metrics.inboxProcessed(row.connection, row.trigger, status);
    if (status === 'dead') log.error({ attempts: row.attempts + 1, error }, 'delivery given up (dead): it stays in the inbox for a person to look at');
    else log.debug('delivery processed');
  }

  /** Records an attempt; false when the store refused (the delivery stays as it was and comes round again). */
  #mark(row: InboxDelivery, status: 'done' | 'failed' | 'dead', error: string | undefined, log: Logger): boolean {
    try {
      this.options.inbox.inboxMark(row.id, status, error);
      return true;
    } catch (failure) {
      log.error({ error: errorFields(failure) }, `marking the delivery ${status} failed; it will be processed again`);
      return false;
    }
  }
}
