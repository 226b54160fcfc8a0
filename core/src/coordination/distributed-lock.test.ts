import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from './redis-connection.js';
import { DistributedLock } from './distributed-lock.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';

describe('DistributedLock (local Redis)', () => {
  let redis: Redis;
  let other: Redis;
  const prefix = `ferry-test-lock-${randomUUID()}`;

  beforeAll(async () => {
    redis = await connectRedis(REDIS_URL, { purpose: 'a test' });
    other = await connectRedis(REDIS_URL, { purpose: 'a test' });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    other.disconnect();
  });

  it('lets one holder in at a time and frees the lock when the work ends', async () => {
    const first = new DistributedLock({ redis, prefix, ttlMs: 2_000 });
    const second = new DistributedLock({ redis: other, prefix, ttlMs: 2_000 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding = first.run('unit:a', async () => {
      await held;
      return 'first';
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(await second.tryRun('unit:a', () => Promise.resolve('second'))).toEqual({ acquired: false });
    await expect(second.run('unit:a', () => Promise.resolve('second'))).rejects.toMatchObject({ code: 'LOCK_BUSY', hint: expect.any(String) as string });
    // Another resource is another lock.
    expect(await second.tryRun('unit:b', () => Promise.resolve('b'))).toEqual({ acquired: true, value: 'b' });

    release();
    expect(await holding).toBe('first');
    expect(await redis.exists(first.keyOf('unit:a'))).toBe(0);
    expect(await second.tryRun('unit:a', () => Promise.resolve('second'))).toEqual({ acquired: true, value: 'second' });
  });

  it('waits for a holder that finishes within waitMs', async () => {
    const first = new DistributedLock({ redis, prefix, ttlMs: 2_000 });
    const second = new DistributedLock({ redis: other, prefix, ttlMs: 2_000 });
    const order: string[] = [];
    const holding = first.run('unit:wait', async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      order.push('first done');
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await second.run('unit:wait', () => Promise.resolve(void order.push('second ran')), { waitMs: 5_000 });
    await holding;
    expect(order).toEqual(['first done', 'second ran']);
  });

  it('keeps the lock past its TTL while the work lives (auto-extension)', async () => {
    const first = new DistributedLock({ redis, prefix, ttlMs: 600 });
    const second = new DistributedLock({ redis: other, prefix, ttlMs: 600 });
    const seenByOther: boolean[] = [];
    let aborted = false;
    await first.run('unit:long', async (signal) => {
      for (let i = 0; i < 4; i++) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        seenByOther.push((await second.tryRun('unit:long', () => Promise.resolve(true))).acquired);
      }
      aborted = signal.aborted;
    });
    expect(seenByOther).toEqual([false, false, false, false]);
    expect(aborted).toBe(false);
  });

  it("frees a dead holder's lock once its TTL runs out", async () => {
    const second = new DistributedLock({ redis: other, prefix, ttlMs: 600 });
    // A holder that died: its key is there, nobody extends it.
    await redis.set(second.keyOf('unit:dead'), 'someone-else', 'PX', 400);
    expect((await second.tryRun('unit:dead', () => Promise.resolve(1))).acquired).toBe(false);
    expect(await second.tryRun('unit:dead', () => Promise.resolve(2), { waitMs: 3_000 })).toEqual({ acquired: true, value: 2 });
  });

  it('tells the work when the lock is lost, and passes the work its own errors', async () => {
    const lock = new DistributedLock({ redis, prefix, ttlMs: 600 });
    const reason = await lock.run('unit:lost', async (signal) => {
      // Someone deletes the key (an operator, a flush): the next extension fails.
      await redis.del(lock.keyOf('unit:lost'));
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      return signal.reason as unknown;
    });
    expect(reason).toMatchObject({ code: 'LOCK_LOST', hint: expect.any(String) as string });
    await expect(lock.run('unit:throws', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await redis.exists(lock.keyOf('unit:throws'))).toBe(0);
  });

  it('says REDIS_UNAVAILABLE when Redis does not answer', async () => {
    const gone = await connectRedis(REDIS_URL, { purpose: 'a test' });
    gone.disconnect();
    const lock = new DistributedLock({ redis: gone, prefix, ttlMs: 1_000 });
    await expect(lock.tryRun('unit:x', () => Promise.resolve(1))).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
  });
});
