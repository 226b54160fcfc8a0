/**
 * The webhook inbox: a delivery is stored before it is acknowledged, de-duplicated by its delivery id, and
 * processed later, in order per order key. Lifecycle: `pending` → `done`; or `failed` (retried on a later
 * `inboxNext`) → … → `done` or `dead` (given up: kept for a person to look at, or re-queued as `pending`).
 */
export type InboxStatus = 'pending' | 'done' | 'failed' | 'dead';

export interface InboxPut {
  readonly connection: string;
  readonly trigger: string;
  /** The provider's id of the delivery (or a hash of the body when it sends none). */
  readonly deliveryId: string;
  /** Deliveries that share an order key (a contact id) are handed out one at a time, oldest first. */
  readonly orderKey?: string | undefined;
  /** The raw body bytes, exactly as received. */
  readonly body: Buffer;
  readonly receivedAt?: Date;
}

export interface InboxDelivery {
  readonly id: number;
  readonly connection: string;
  readonly trigger: string;
  readonly deliveryId: string;
  readonly orderKey: string | undefined;
  readonly body: Buffer;
  readonly receivedAt: string;
  readonly status: InboxStatus;
  /** Processing attempts recorded so far (each `done`, `failed` or `dead` mark counts one). */
  readonly attempts: number;
  readonly lastError: string | undefined;
  /** When it reached `done` or `dead`. */
  readonly processedAt: string | undefined;
}

/** Which deliveries `inboxNext` hands out. */
export interface InboxNextFilter {
  /** Only deliveries of this connection (a drainer per connection reads its own, not everyone's backlog). */
  readonly connection?: string | undefined;
}

export interface WebhookInbox {
  /** Stores a delivery unless one with the same (connection, deliveryId) is already there. */
  inboxPut(delivery: InboxPut): { inserted: boolean; id: number };
  /**
   * Up to `limit` deliveries to process, oldest first: every `pending` or `failed` delivery without an order
   * key, and for each order key only its oldest unfinished delivery — so deliveries of one contact are never
   * processed out of order or at the same time. The caller tracks which ones it already has in flight.
   * Order keys are per connection, so a connection filter hands out exactly that connection's share of it.
   */
  inboxNext(limit: number, filter?: InboxNextFilter): InboxDelivery[];
  /** One delivery, whatever its status. */
  inboxGet(id: number): InboxDelivery | undefined;
  /** Records the outcome of an attempt (`done`, `failed`, `dead`), or re-queues a delivery (`pending`). */
  inboxMark(id: number, status: InboxStatus, error?: string): void;
  /** Deliveries still to process (`pending` + `failed`). */
  inboxDepth(): number;
}
