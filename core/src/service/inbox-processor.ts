import { Subject, merge, timer, type Subscription } from 'rxjs';
import type { Logger } from '../contract/logger.js';
import type { InboxDelivery, WebhookInbox } from '../store/webhook-inbox.js';
import { DeliveryHandler, type DeliveryHandlerOptions } from './delivery-handler.js';
import { errorFields } from './error-fields.js';

export interface InboxProcessorOptions extends DeliveryHandlerOptions {
  readonly inbox: WebhookInbox;
  readonly log: Logger;
  /** Deliveries in progress at once (each of another order key). */
  readonly maxInFlight: number;
  /** How often the inbox is looked at when nothing wakes the processor (retries due, other writers). */
  readonly pollMs: number;
}

/**
 * Takes pending deliveries from the durable inbox and hands them to the delivery handler, which feeds their
 * records to the pipelines that listen to them. The store gives out only the oldest unfinished delivery of each
 * order key, so deliveries of one contact are processed one after the other, in the order they came.
 */
export class InboxProcessor {
  readonly #inFlight = new Map<number, Promise<void>>();
  readonly #handler: DeliveryHandler;
  readonly #wake = new Subject<void>();
  #subscription: Subscription | undefined;
  #stopped = false;

  constructor(private readonly options: InboxProcessorOptions) {
    this.#handler = new DeliveryHandler(options);
  }

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
      rows = this.options.inbox.inboxNext(room + this.#inFlight.size + this.#handler.backingOff);
    } catch (error) {
      this.options.log.error({ error: errorFields(error) }, 'reading the webhook inbox failed; trying again at the next poll');
      return;
    }
    const now = Date.now();
    let started = 0;
    for (const row of rows) {
      if (started >= room) break;
      if (this.#inFlight.has(row.id) || this.#handler.dueAt(row.id) > now) continue;
      started += 1;
      const processing = this.#handler
        .process(row)
        .then(() => undefined)
        .catch((error: unknown) => this.options.log.error({ delivery: row.id, error: errorFields(error) }, 'processing a delivery failed unexpectedly'))
        .finally(() => {
          this.#inFlight.delete(row.id);
          // The next delivery of the same order key may be waiting for this one.
          if (!this.#stopped) this.#wake.next();
        });
      this.#inFlight.set(row.id, processing);
    }
  }
}
