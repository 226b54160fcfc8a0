import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../contract/pipeline.js';
import { DistributedLock } from '../coordination/distributed-lock.js';
import { connectRedis } from '../coordination/redis-connection.js';
import { combineRunSummaries } from '../runtime/combine-run-results.js';
import type { RunExecutor } from '../service/run-executor.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { ExclusiveUnits } from './exclusive-units.js';
import { QUEUE_NAMES, unitLockResource, type RunUnit } from './queue-names.js';
import { processRunJob } from './run-job.js';
import { RunQueueProducer } from './run-queue-producer.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
const log = pino({ level: 'silent' });
const unit: RunUnit = { pipeline: 'p', partition: 'loc-1' };
const pipelines = new Map([['p', { name: 'p', on: [] } as unknown as PipelineSpec]]);

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

/**
 * The test's side of a worker: the real run job processing (unit lock, busy → delayed) over runs that stay in
 * progress until the test ends them, and one log of what happened in which order.
 */
class GatedRuns {
  /** 'run N' when the N-th run starts, and whatever the test adds ('request'), in order. */
  readonly events: string[] = [];
  #started = 0;
  readonly #running: (() => void)[] = [];

  readonly execute: RunExecutor = async () => {
    this.#started += 1;
    this.events.push(`run ${this.#started}`);
    await new Promise<void>((resolve) => this.#running.push(resolve));
    return { kind: 'finished', result: { runId: undefined, status: 'succeeded', summary: combineRunSummaries([]) } };
  };

  get started(): number {
    return this.#started;
  }

  /** Lets the oldest run in progress end. */
  endOne(): void {
    const end = this.#running.shift();
    if (end === undefined) throw new Error('no run is in progress');
    end();
  }
}

interface Fixture {
  readonly prefix: string;
  readonly producer: RunQueueProducer;
  readonly runs: GatedRuns;
  readonly lock: DistributedLock;
  /** A worker of the runs queue over the test's runs; several may run, as on several machines. */
  startWorker(options?: { readonly autorun?: boolean }): Promise<Worker>;
  /** No job of the unit waits, runs or waits out a delay. */
  idle(): Promise<boolean>;
}

const cleanUps: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanUp of cleanUps.splice(0).reverse()) await cleanUp();
});

async function fixture(): Promise<Fixture> {
  const prefix = `ferry-test-follow-${randomUUID()}`;
  const opened: Redis[] = [];
  const store = openSqliteStore(':memory:');
  const admin = await connectRedis(REDIS_URL, { purpose: 'a test' });
  cleanUps.push(async () => {
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
    for (const redis of opened) redis.disconnect();
    store.close();
  });
  const lockRedis = await connectRedis(REDIS_URL, { purpose: 'a test' });
  opened.push(lockRedis);
  const lock = new DistributedLock({ redis: lockRedis, prefix, ttlMs: 5_000 });
  const runs = new GatedRuns();
  const units = new ExclusiveUnits({ lock, execute: runs.execute, store, log });
  const stop = new AbortController();
  const producer = await RunQueueProducer.connect({ url: REDIS_URL, prefix, log });
  const workers: Worker[] = [];
  cleanUps.push(async () => {
    stop.abort();
    await Promise.all(workers.map((worker) => worker.close(true)));
    await producer.close();
  });
  return {
    prefix,
    producer,
    runs,
    lock,
    async startWorker(options = {}) {
      const connection = await connectRedis(REDIS_URL, { purpose: 'a test', maxRetriesPerRequest: null });
      opened.push(connection);
      // Two at once: a follow-up taken while its unit still runs would find the unit's lock held.
      const worker = new Worker(QUEUE_NAMES.runs, (job: Job, token?: string) => processRunJob(job, token, { pipelines, units, signal: stop.signal, lockRetryMs: 50, log }), {
        connection,
        prefix,
        concurrency: 2,
        autorun: options.autorun ?? true,
      });
      workers.push(worker);
      await worker.waitUntilReady();
      return worker;
    },
    async idle() {
      const counts = (await producer.depths()).get('runs');
      return counts !== undefined && counts.waiting + counts.active + counts.delayed === 0;
    },
  };
}

/** Requests a run, noting in the log when the request was made. */
async function request(world: Fixture): Promise<string> {
  world.runs.events.push('request');
  return world.producer.requestRun(unit, 'request');
}

describe('run requests while a unit runs (local Redis, a real worker)', () => {
  it('a request while the unit runs adds one run after it, which starts after the request', async () => {
    const world = await fixture();
    await world.startWorker();
    expect(await request(world)).toBe('queued');
    await until(() => world.runs.started === 1, 'the first run starts');

    expect(await request(world)).toBe('queued-after-running');
    // The follow-up waits for the running one: it is not even on the queue yet.
    expect((await world.producer.depths()).get('runs')).toMatchObject({ waiting: 0, active: 1 });
    world.runs.endOne();
    await until(() => world.runs.started === 2, 'the follow-up starts');
    world.runs.endOne();
    await until(() => world.idle(), 'the queue is idle');

    expect(world.runs.events).toEqual(['request', 'run 1', 'request', 'run 2']);
  });

  it('requests twice while the unit runs: still one run after it', async () => {
    const world = await fixture();
    await world.startWorker();
    await request(world);
    await until(() => world.runs.started === 1, 'the first run starts');
    expect(await request(world)).toBe('queued-after-running');
    expect(await request(world)).toBe('queued-after-running');
    world.runs.endOne();
    await until(() => world.runs.started === 2, 'the follow-up starts');
    // A request while the follow-up runs is a follow-up of that one.
    world.runs.endOne();
    await until(() => world.idle(), 'the queue is idle');

    expect(world.runs.started).toBe(2);
  });

  it('requests while a run waits join it: one run', async () => {
    const world = await fixture();
    const worker = await world.startWorker({ autorun: false });
    expect(await request(world)).toBe('queued');
    expect(await request(world)).toBe('joined');
    expect(await world.producer.requestRun(unit, 'schedule')).toBe('joined');
    // Another unit is another run.
    expect(await world.producer.requestRun({ pipeline: 'p', partition: 'loc-2' }, 'request')).toBe('queued');
    expect((await world.producer.depths()).get('runs')).toMatchObject({ waiting: 2 });

    void worker.run();
    await until(() => world.runs.started === 2, 'both units run');
    world.runs.endOne();
    world.runs.endOne();
    await until(() => world.idle(), 'the queue is idle');
    expect(world.runs.started).toBe(2);
  });

  it('a schedule tick while the unit runs is left to the running one', async () => {
    const world = await fixture();
    await world.startWorker();
    await request(world);
    await until(() => world.runs.started === 1, 'the first run starts');
    expect(await world.producer.requestRun(unit, 'schedule')).toBe('left-to-running');
    world.runs.endOne();
    await until(() => world.idle(), 'the queue is idle');
    expect(world.runs.started).toBe(1);
  });

  it('a request made while the running one ends is never lost: exactly one run starts after it', async () => {
    const world = await fixture();
    await world.startWorker();
    for (let round = 0; round < 12; round += 1) {
      const before = world.runs.started;
      await request(world);
      await until(() => world.runs.started === before + 1, `round ${round}: the run starts`);
      // The run ends while the request is being made (at a slightly different moment each round).
      const requested = Promise.all([sleep(round % 4).then(() => world.runs.endOne()), request(world)]);
      const [, outcome] = await requested;
      expect(['queued', 'queued-after-running']).toContain(outcome);
      await until(() => world.runs.started === before + 2, `round ${round}: a run after the request starts`);
      world.runs.endOne();
      await until(() => world.idle(), `round ${round}: the queue is idle`);
      expect(world.runs.started).toBe(before + 2);
      const events = world.runs.events.slice(world.runs.events.lastIndexOf(`run ${before + 1}`));
      expect(events.indexOf('request')).toBeLessThan(events.indexOf(`run ${before + 2}`));
    }
  });

  it('a follow-up that finds the unit running elsewhere waits and is asked again, not dropped', async () => {
    const world = await fixture();
    const first = await world.startWorker();
    await request(world);
    await until(() => world.runs.started === 1, 'the first run starts');
    expect(await request(world)).toBe('queued-after-running');
    // This worker stops taking jobs, so the follow-up waits on the queue once the first run ends.
    const closing = first.close();
    world.runs.endOne();
    await closing;
    expect((await world.producer.depths()).get('runs')).toMatchObject({ waiting: 1, active: 0 });

    // Something else runs the unit now (a webhook batch on another worker): the follow-up is busy.
    let releaseLock = (): void => undefined;
    const held = new Promise<void>((resolve) => (releaseLock = resolve));
    const holding = world.lock.tryRun(unitLockResource(unit), () => held);
    await until(async () => (await world.lock.tryRun(unitLockResource(unit), async () => 'free')).acquired === false, 'the lock is held');
    await world.startWorker();
    await until(async () => (await world.producer.depths()).get('runs')?.delayed === 1, 'the busy follow-up is delayed');
    expect(world.runs.started).toBe(1);

    releaseLock();
    expect((await holding).acquired).toBe(true);
    await until(() => world.runs.started === 2, 'the follow-up runs once the unit is free');
    world.runs.endOne();
    await until(() => world.idle(), 'the queue is idle');
    expect(world.runs.started).toBe(2);
  });
});
