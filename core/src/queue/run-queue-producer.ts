import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import { bullmq } from './bullmq-library.js';
import type { Redis } from 'ioredis';
import type { Logger } from '../contract/logger.js';
import type { PipelineSpec } from '../contract/pipeline.js';
import { connectRedis, redactRedisUrl } from '../coordination/redis-connection.js';
import { JOB_VERSION, type InboxJobData, type RunJobData, type RunJobTrigger, type TickJobData } from './queue-jobs.js';
import {
  DEFAULT_QUEUE_PREFIX,
  QUEUE_NAMES,
  inboxJobId,
  isTickSchedulerId,
  runDeduplicationId,
  runRequestJobId,
  tickSchedulerId,
  type QueueName,
  type RunUnit,
} from './queue-names.js';

export interface RunQueueConnectOptions {
  /** redis://host:port/db (rediss:// for TLS). */
  readonly url: string;
  /** Key prefix of the queues (default `ferry`). */
  readonly prefix?: string | undefined;
  readonly log: Logger;
}

/** A `schedule:` trigger armed on the queue. */
export interface ArmedSchedule {
  readonly pipeline: string;
  readonly cron: string;
  readonly next: Date | undefined;
}

/** Jobs of one queue by state. */
export type QueueCounts = Readonly<Record<'waiting' | 'active' | 'delayed' | 'failed', number>>;

/**
 * What became of a request for a run of a unit: a new run waits for a worker (`queued`); a run of the unit already
 * waited and this request is that run (`joined`); the unit runs now and one run more starts after it ends
 * (`queued-after-running`); or, for a schedule tick, the unit runs now and the tick is left to that run
 * (`left-to-running`).
 */
export type RunRequestOutcome = 'queued' | 'joined' | 'queued-after-running' | 'left-to-running';

/** A finished run or inbox job leaves nothing behind: the next request of its unit (or connection) is a new job. */
const UNIT_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: true } as const;
/** Tick ids are unique per tick; a few failed ones are kept for a person to look at. */
const TICK_JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 100 } as const;

/**
 * Puts work on the run queue: runs of units, schedule ticks (as BullMQ job schedulers, which any number of
 * `serve` instances can upsert without doubling a tick) and inbox drains. Used by `ferry serve --queue`, and by
 * workers to expand a tick into its units' runs.
 */
export class RunQueueProducer {
  readonly prefix: string;
  /** The queue's Redis URL without its password, for messages. */
  readonly where: string;
  readonly #redis: Redis;
  readonly #queues: Readonly<Record<QueueName, Queue>>;
  readonly #log: Logger;

  private constructor(redis: Redis, where: string, prefix: string, log: Logger) {
    this.#redis = redis;
    this.where = where;
    this.prefix = prefix;
    this.#log = log;
    const options = { connection: redis, prefix };
    this.#queues = {
      runs: new (bullmq().Queue)(QUEUE_NAMES.runs, options),
      ticks: new (bullmq().Queue)(QUEUE_NAMES.ticks, options),
      inbox: new (bullmq().Queue)(QUEUE_NAMES.inbox, options),
    };
    for (const queue of Object.values(this.#queues)) queue.on('error', (error) => log.error({ queue: queue.name, error: error.message }, 'run queue error'));
  }

  /** Connects (REDIS_UNAVAILABLE when Redis does not answer) and returns the producer. */
  static async connect(options: RunQueueConnectOptions): Promise<RunQueueProducer> {
    const redis = await connectRedis(options.url, { purpose: 'the run queue' });
    return new RunQueueProducer(redis, redactRedisUrl(options.url), options.prefix ?? DEFAULT_QUEUE_PREFIX, options.log.child({ component: 'queue' }));
  }

  /**
   * Arms every `schedule:` trigger as a job scheduler (the same id from every `serve`, so ticks are never
   * doubled) and removes the tick schedulers of triggers the project no longer has.
   */
  async armSchedules(pipelines: readonly PipelineSpec[], options: { readonly timezone?: string | undefined } = {}): Promise<ArmedSchedule[]> {
    const ticks = this.#queues.ticks;
    const armed: ArmedSchedule[] = [];
    const ids = new Set<string>();
    for (const pipeline of pipelines) {
      let index = 0;
      for (const on of pipeline.on) {
        if (on.schedule === undefined) continue;
        const id = tickSchedulerId(pipeline.name, index++);
        ids.add(id);
        const data: TickJobData = { v: JOB_VERSION, pipeline: pipeline.name };
        const next = await ticks.upsertJobScheduler(
          id,
          { pattern: on.schedule, ...(options.timezone === undefined ? {} : { tz: options.timezone }) },
          { name: 'tick', data, opts: TICK_JOB_OPTIONS },
        );
        const at = next.timestamp + (next.delay ?? 0);
        armed.push({ pipeline: pipeline.name, cron: on.schedule, next: Number.isFinite(at) ? new Date(at) : undefined });
      }
    }
    for (const scheduler of await ticks.getJobSchedulers()) {
      if (isTickSchedulerId(scheduler.key) && !ids.has(scheduler.key)) {
        await ticks.removeJobScheduler(scheduler.key);
        this.#log.info({ scheduler: scheduler.key }, 'schedule removed from the queue: the project no longer has it');
      }
    }
    return armed;
  }

  /**
   * Asks for a run of `unit`. A request joins the run of the unit that already waits, if any (it has not read yet,
   * so it reads what changed). While the unit runs, an explicit request adds one run after it — at most one: later
   * requests join that one — while a schedule tick is left to the running one (the next tick reads what it missed).
   *
   * The queue decides atomically (BullMQ deduplication with keepLastIfActive: the follow-up is made when the running
   * job ends, in the same script), so a run that ends while the request is made cannot drop it. The outcome is
   * named from the unit's job as seen just before: a run that starts in between is reported `joined` though the
   * request became its follow-up — either way a run of the unit starts after the request.
   */
  async requestRun(unit: RunUnit, trigger: RunJobTrigger): Promise<RunRequestOutcome> {
    const runs = this.#queues.runs;
    const data: RunJobData = { v: JOB_VERSION, pipeline: unit.pipeline, partition: unit.partition, trigger };
    const deduplicationId = runDeduplicationId(unit);
    const current = await runs.getDeduplicationJobId(deduplicationId);
    const stateBefore = current === null ? undefined : await runs.getJobState(current);
    const jobId = runRequestJobId(unit, randomUUID());
    const job = await runs.add('run', data, {
      ...UNIT_JOB_OPTIONS,
      jobId,
      deduplication: { id: deduplicationId, keepLastIfActive: trigger === 'request' },
    });
    if (job.id === jobId) return 'queued';
    if (job.id !== current || stateBefore !== 'active') return 'joined';
    return trigger === 'request' ? 'queued-after-running' : 'left-to-running';
  }

  /**
   * Asks a worker to process the deliveries of `connection` in the inbox. With `promote`, a drainer that waits
   * out a failed delivery's backoff looks again at once (a new delivery of another contact should not wait).
   */
  async drainInbox(connection: string, options: { readonly promote?: boolean } = {}): Promise<void> {
    const data: InboxJobData = { v: JOB_VERSION, connection };
    const job = await this.#queues.inbox.add('drain', data, { ...UNIT_JOB_OPTIONS, jobId: inboxJobId(connection) });
    if (options.promote === true && (await job.isDelayed())) {
      // It may have started meanwhile: then it reads the inbox anyway.
      await job.promote().catch(() => undefined);
    }
  }

  /** Jobs per queue and state (`/metrics`). */
  async depths(): Promise<ReadonlyMap<QueueName, QueueCounts>> {
    const depths = new Map<QueueName, QueueCounts>();
    for (const [name, queue] of Object.entries(this.#queues) as [QueueName, Queue][]) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      depths.set(name, { waiting: counts['waiting'] ?? 0, active: counts['active'] ?? 0, delayed: counts['delayed'] ?? 0, failed: counts['failed'] ?? 0 });
    }
    return depths;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.#queues).map((queue) => queue.close()));
    this.#redis.disconnect();
  }
}
