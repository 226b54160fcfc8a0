/**
 * Names shared by the producer (`ferry serve --queue`) and the workers (`ferry worker`): the queues, the job ids
 * that make a unit's requests coalesce, and the resources of the distributed locks. Both sides must agree on
 * them, so they are made here only.
 */

import { DEFAULT_REDIS_PREFIX } from '../coordination/redis-prefix.js';

/**
 * Key prefix of every queue and lock in Redis when neither `--queue-prefix` nor ferry.yaml's `redis.prefix` names
 * one: projects sharing one Redis use different ones.
 */
export const DEFAULT_QUEUE_PREFIX = DEFAULT_REDIS_PREFIX;

export const QUEUE_NAMES = {
  /** One job per (pipeline, partition) to run. */
  runs: 'runs',
  /** Schedule ticks, made by BullMQ job schedulers; each expands into run jobs. */
  ticks: 'ticks',
  /** One job per connection whose webhook inbox has deliveries to process. */
  inbox: 'inbox',
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/** What runs alone: one pipeline over one partition ('' when the pipeline is not partitioned). */
export interface RunUnit {
  readonly pipeline: string;
  readonly partition: string;
}

/** BullMQ ids may hold ':' only as the separators of exactly three parts, so each part is encoded. */
function part(value: string): string {
  return encodeURIComponent(value);
}

/**
 * What a unit's run requests coalesce on (BullMQ's deduplication id): a request while a run of the unit waits is
 * that run, and a request while one runs is the one run after it.
 */
export function runDeduplicationId(unit: RunUnit): string {
  return `run:${part(unit.pipeline)}:${part(unit.partition)}`;
}

/**
 * The job id of one request for a run of `unit`: unique per request, so the producer can tell the job it added
 * from the one it joined. `@` never occurs in an encoded part.
 */
export function runRequestJobId(unit: RunUnit, requestId: string): string {
  return `${runDeduplicationId(unit)}@${part(requestId)}`;
}

/** A connection's inbox job: one drainer per connection at a time keeps each contact's deliveries in order. */
export function inboxJobId(connection: string): string {
  return `inbox:${part(connection)}:drain`;
}

/** The job scheduler of a pipeline's n-th `schedule:` trigger (several `serve` instances upsert the same one). */
export function tickSchedulerId(pipeline: string, index: number): string {
  return `tick.${part(pipeline)}.${index}`;
}

/** Whether a job scheduler is one that `tickSchedulerId` named (others in the queue are left alone). */
export function isTickSchedulerId(id: string): boolean {
  return id.startsWith('tick.');
}

/** The lock held while a unit runs, by whichever worker and whatever started it. */
export function unitLockResource(unit: RunUnit): string {
  return `unit:${part(unit.pipeline)}:${part(unit.partition)}`;
}

/** The lock held while a connection's inbox is drained (a stalled drainer's job may be picked up twice). */
export function inboxLockResource(connection: string): string {
  return `inbox:${part(connection)}`;
}

/** How a unit is named in logs and store keys. */
export function unitName(unit: RunUnit): string {
  return unit.partition === '' ? unit.pipeline : `${unit.pipeline}[${unit.partition}]`;
}
