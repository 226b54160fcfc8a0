import type { Job } from 'bullmq';
import type { Logger } from '../contract/logger.js';
import type { DistributedLock } from '../coordination/distributed-lock.js';
import type { DeliveryHandler } from '../service/delivery-handler.js';
import type { WebhookInbox } from '../store/webhook-inbox.js';
import { delayJob } from './delay-job.js';
import { parseInboxJob } from './queue-jobs.js';
import { inboxLockResource } from './queue-names.js';

export interface InboxJobOptions {
  readonly inbox: WebhookInbox;
  readonly handler: DeliveryHandler;
  readonly lock: DistributedLock;
  /** Deliveries of one connection processed at once (each of another order key). */
  readonly maxInFlight: number;
  /** How soon a drain looks again when a pipeline's unit ran elsewhere. */
  readonly lockRetryMs: number;
  /** True once the worker stops: what is left goes back on the queue for another worker. */
  readonly stopping: () => boolean;
  readonly log: Logger;
}

/**
 * Processes the due deliveries of one connection, round after round, until none is left. Resolves with when to
 * look again: undefined when nothing waits; a time when a delivery waits out a backoff, a pipeline ran elsewhere,
 * or the worker is stopping.
 */
export async function drainConnection(connection: string, options: InboxJobOptions): Promise<number | undefined> {
  for (;;) {
    if (options.stopping()) return Date.now();
    // The store hands out each order key's oldest unfinished delivery only: a round never holds two of one contact.
    // Enough rows to find a full round behind those waiting out a backoff.
    const rows = options.inbox.inboxNext(options.maxInFlight + options.handler.backingOff, { connection });
    if (rows.length === 0) return undefined;
    const now = Date.now();
    const due = rows.filter((row) => options.handler.dueAt(row.id) <= now).slice(0, options.maxInFlight);
    if (due.length === 0) return Math.min(...rows.map((row) => options.handler.dueAt(row.id)));
    const outcomes = await Promise.all(due.map((row) => options.handler.process(row)));
    if (outcomes.includes('deferred') || outcomes.includes('unmarked')) return Date.now() + options.lockRetryMs;
  }
}

/**
 * Processes an inbox job: drains its connection's deliveries under the connection's lock (BullMQ gives a job to
 * one worker, but a stalled one may be given again), then puts the job back on the queue for when it must look
 * again, if ever.
 */
export async function processInboxJob(job: Job, token: string | undefined, options: InboxJobOptions): Promise<void> {
  const { connection } = parseInboxJob(job.data);
  const attempt = await options.lock.tryRun(inboxLockResource(connection), () => drainConnection(connection, options));
  const again = attempt.acquired ? attempt.value : Date.now() + options.lockRetryMs;
  if (again !== undefined) {
    options.log.debug({ connection, inMs: Math.max(0, again - Date.now()) }, 'inbox drain paused: it looks again later');
    throw await delayJob(job, token, again);
  }
}
