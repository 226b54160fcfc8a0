/**
 * Names shared by the producer (`ferry serve --queue`) and the workers (`ferry worker`): the queues, the job ids
 * that make a unit's requests coalesce, and the resources of the distributed locks. Both sides must agree on
 * them, so they are made here only.
 */

/** Key prefix of every queue and lock in Redis (`--queue-prefix`): projects sharing one Redis use different ones. */
export const DEFAULT_QUEUE_PREFIX = 'ferry';

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

/** A unit's run job: a second request while one is waiting is the same job, not a second run. */
export function runJobId(unit: RunUnit): string {
  return `run:${part(unit.pipeline)}:${part(unit.partition)}`;
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
