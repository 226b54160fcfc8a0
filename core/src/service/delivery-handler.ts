import type { Logger } from '../contract/logger.js';
import type { TriggerEvent } from '../contract/connector.js';
import { backoffDelay } from '../http/backoff.js';
import type { InboxDelivery, WebhookInbox } from '../store/webhook-inbox.js';
import type { DeliveryPartitions } from './delivery-partitions.js';
import { errorFields, errorLine } from './error-fields.js';
import type { InboxResult, ServiceMetrics } from './service-metrics.js';
import { endpointKey, type WebhookEndpoint } from './webhook-endpoints.js';
import type { LaneOutcome, WebhookLanes } from './webhook-lanes.js';

export interface DeliveryHandlerOptions {
  readonly inbox: WebhookInbox;
  readonly endpoints: ReadonlyMap<string, WebhookEndpoint>;
  readonly lanes: WebhookLanes;
  /** Routes deliveries of partitioned connections to their partition. */
  readonly partitions: DeliveryPartitions;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
  /** Attempts before a delivery is marked dead. */
  readonly maxAttempts: number;
  /** Backoff between attempts: exponential from `retryBaseMs`, capped at `retryMaxMs`, with full jitter. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  readonly random?: (() => number) | undefined;
}

/**
 * How one attempt at a delivery ended: `done` or `dead` (marked so), `retry` (marked failed, due again after a
 * backoff), `deferred` (a pipeline could not take its records now — stopping, or its unit busy elsewhere — so it
 * stays as it was), `unmarked` (the store refused the mark: it comes round again).
 */
export type DeliveryOutcome = 'done' | 'dead' | 'retry' | 'deferred' | 'unmarked';

/**
 * Processes one delivery of the inbox: parses it with its trigger, routes it to its partition when its connection
 * is partitioned, hands its records to every pipeline that listens to it, and records the outcome. A delivery is
 * marked `done` once every pipeline took its records (or at once when it is for a partition ferry.yaml does not
 * list: skipped); a failed one is tried again after a backoff (a retry runs only the pipelines that failed) and
 * marked `dead` after `maxAttempts`. The backoffs are kept in memory: after a restart, failed deliveries are due
 * at once.
 */
export class DeliveryHandler {
  /** Delivery id → when its next attempt is due. */
  readonly #notBefore = new Map<number, number>();
  /** Delivery id → pipelines that already took its records. */
  readonly #completed = new Map<number, Set<string>>();

  constructor(private readonly options: DeliveryHandlerOptions) {}

  /** When the delivery may be tried next (0 when it has no backoff to wait out). */
  dueAt(id: number): number {
    return this.#notBefore.get(id) ?? 0;
  }

  /** Deliveries waiting out a backoff. */
  get backingOff(): number {
    return this.#notBefore.size;
  }

  async process(row: InboxDelivery): Promise<DeliveryOutcome> {
    const key = endpointKey(row.connection, row.trigger);
    const log = this.options.log.child({ delivery: row.id, deliveryId: row.deliveryId, webhook: key });
    const endpoint = this.options.endpoints.get(key);
    if (endpoint === undefined) {
      return this.#finish(row, 'dead', `WEBHOOK_ENDPOINT_GONE: the project no longer has a webhook trigger ${key}`, log);
    }
    let event: TriggerEvent;
    try {
      // The inbox keeps the body, not the headers: records must come from the body (they do for every connector).
      event = endpoint.parse({ headers: {}, rawBody: row.body, receivedAt: new Date(row.receivedAt) });
    } catch (error) {
      // It parsed when it arrived; a body that no longer parses will not parse on a retry either.
      return this.#finish(row, 'dead', errorLine(error), log);
    }
    if (endpoint.pipelines.length === 0) log.info('no pipeline listens to this webhook any more: the delivery is marked done');
    const completed = this.#completed.get(row.id) ?? new Set<string>();
    const pending = endpoint.pipelines.filter((pipeline) => !completed.has(pipeline.name));
    let partition: string | undefined;
    if (pending.length > 0) {
      const route = await this.options.partitions.route(row.connection, row.trigger, event.partitionKey);
      if (route.kind === 'failed') return this.#failed(row, completed, errorLine(route.error), log, route.retryAt);
      if (route.kind === 'not-synced') {
        log.warn(
          { connection: row.connection, partitionKey: route.key, pipelines: pending.map((pipeline) => pipeline.name) },
          `delivery skipped: '${route.key}' is not a partition of connection '${row.connection}' in ferry.yaml, so this project does not sync it`,
        );
        return this.#finish(row, 'done', undefined, log, 'skipped');
      }
      if (route.kind === 'partition') partition = route.partition;
    }
    const outcomes = await Promise.all(
      pending.map(async (pipeline): Promise<[string, LaneOutcome]> => [pipeline.name, await this.options.lanes.submit(pipeline, key, event.records, partition)]),
    );
    for (const [name, outcome] of outcomes) if (outcome.kind === 'ok') completed.add(name);
    if (outcomes.some(([, outcome]) => outcome.kind === 'deferred')) {
      // Not every pipeline had the records: left as it is, processed again later (its done pipelines are skipped).
      this.#completed.set(row.id, completed);
      return 'deferred';
    }
    const failures = outcomes.flatMap(([name, outcome]) => (outcome.kind === 'failed' ? [`${name}: ${outcome.error}`] : []));
    if (failures.length === 0) return this.#finish(row, 'done', undefined, log);
    return this.#failed(row, completed, failures.join('; '), log);
  }

  /** A failed attempt: tried again after a backoff (not before `retryAt` when given), or dead after the last one. */
  #failed(row: InboxDelivery, completed: Set<string>, error: string, log: Logger, retryAt?: number): DeliveryOutcome {
    this.#completed.set(row.id, completed);
    const attempts = row.attempts + 1;
    if (attempts >= this.options.maxAttempts) return this.#finish(row, 'dead', error, log);
    const backoffMs = backoffDelay(attempts, this.options.retryBaseMs, this.options.retryMaxMs, this.options.random);
    const notBefore = Math.max(Date.now() + backoffMs, retryAt ?? 0);
    if (!this.#mark(row, 'failed', error, log)) return 'unmarked';
    this.#notBefore.set(row.id, notBefore);
    this.options.metrics.inboxProcessed(row.connection, row.trigger, 'retried');
    log.warn({ attempts, retryInMs: notBefore - Date.now(), error }, 'delivery failed; it will be tried again');
    return 'retry';
  }

  #finish(row: InboxDelivery, status: 'done' | 'dead', error: string | undefined, log: Logger, counted: InboxResult = status): DeliveryOutcome {
    if (!this.#mark(row, status, error, log)) return 'unmarked';
    this.#notBefore.delete(row.id);
    this.#completed.delete(row.id);
    this.options.metrics.inboxProcessed(row.connection, row.trigger, counted);
    if (status === 'dead') log.error({ attempts: row.attempts + 1, error }, 'delivery given up (dead): it stays in the inbox for a person to look at');
    else log.debug('delivery processed');
    return status;
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
