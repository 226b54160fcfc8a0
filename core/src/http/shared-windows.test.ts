import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../coordination/redis-connection.js';
import { SharedWindows, type SharedWindowSpec, type SharedWindowsOptions } from './shared-windows.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
let first: Redis;
let second: Redis;
let prefix: string;
const opened: SharedWindows[] = [];

beforeAll(async () => {
  first = await connectRedis(REDIS_URL, { purpose: 'a test' });
  second = await connectRedis(REDIS_URL, { purpose: 'a test' });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((w) => w.close()));
  const keys = await first.keys(`${prefix}*`);
  if (keys.length > 0) await first.del(...keys);
});
afterAll(() => {
  first.disconnect();
  second.disconnect();
});

/** A budget in its own key space; `via` picks the connection (two connections stand for two processes). */
function budget(windows: readonly SharedWindowSpec[], via: Redis, options: Partial<SharedWindowsOptions> = {}): SharedWindows {
  const windowsOf = new SharedWindows({ redis: { get: () => Promise.resolve(via) }, budgetKey: `${prefix}:{b}`, windows, ...options });
  opened.push(windowsOf);
  return windowsOf;
}

describe('SharedWindows', () => {
  it('grants at most max slots across connections and says when the next one frees', async () => {
    prefix = `ferry-test:${randomUUID()}`;
    const window = { max: 5, perMs: 1000, marginMs: 2 };
    const a = budget([window], first);
    const b = budget([window], second);
    const granted = await a.reserve(3);
    expect(granted.slots).toHaveLength(3);
    expect(granted.blockedBy).toBeUndefined();
    const rest = await b.reserve(10);
    expect(rest.slots).toHaveLength(2);
    expect(rest.blockedBy).toBe(0);
    // All five are in flight: none can free before one ends and its window passes.
    expect(rest.waitMs).toBeGreaterThan(900);
    expect(rest.waitMs).toBeLessThanOrEqual(1002);
    const none = await a.reserve(1);
    expect(none.slots).toHaveLength(0);
    expect(new Set([...granted.slots, ...rest.slots]).size).toBe(5);
  });

  it('holds a finished slot for the window after its end, and frees a released one at once', async () => {
    prefix = `ferry-test:${randomUUID()}`;
    const a = budget([{ max: 2, perMs: 300, marginMs: 2 }], first);
    const b = budget([{ max: 2, perMs: 300, marginMs: 2 }], second);
    const [finished, unsent] = (await a.reserve(2)).slots;
    a.finish(finished ?? '');
    a.release([unsent ?? '']);
    await sleep(30);
    const after = await b.reserve(2);
    expect(after.slots).toHaveLength(1);
    expect(after.waitMs).toBeGreaterThan(150);
    expect(after.waitMs).toBeLessThanOrEqual(302);
    await sleep(after.waitMs + 20);
    expect((await b.reserve(1)).slots).toHaveLength(1);
  });

  it('frees the slots of a process that stopped renewing after the lease, not before', async () => {
    prefix = `ferry-test:${randomUUID()}`;
    const window = { max: 1, perMs: 200, marginMs: 2 };
    const gone = budget([window], first, { leaseMs: 300 });
    expect((await gone.reserve(1)).slots).toHaveLength(1);
    await gone.close(); // no finish, no renewal: as if the process died with its call in flight
    const other = budget([window], second);
    await sleep(250);
    expect((await other.reserve(1)).slots).toHaveLength(0);
    await sleep(350); // 200 + 300 + 2 after the grant
    expect((await other.reserve(1)).slots).toHaveLength(1);
  });

  it('keeps renewing the slot of a call in flight past its lease', async () => {
    prefix = `ferry-test:${randomUUID()}`;
    const window = { max: 1, perMs: 100, marginMs: 2 };
    const busy = budget([window], first, { leaseMs: 150 });
    const [slot] = (await busy.reserve(1)).slots;
    const other = budget([window], second);
    await sleep(600);
    expect((await other.reserve(1)).slots).toHaveLength(0);
    busy.finish(slot ?? '');
    await sleep(150);
    expect((await other.reserve(1)).slots).toHaveLength(1);
  });

  it('counts a long window in buckets and never admits more than max in it', async () => {
    prefix = `ferry-test:${randomUUID()}`;
    const daily = [{ max: 100, perMs: 1000, marginMs: 2 }, { max: 6, perMs: 120_000, marginMs: 240 }];
    const a = budget(daily, first);
    const b = budget(daily, second);
    const slots = [...(await a.reserve(4)).slots];
    for (const slot of slots) a.finish(slot);
    await sleep(20);
    expect(await first.hget(`${prefix}:{b}:120000ms:buckets`, 't')).toBe('4');
    const more = await b.reserve(5);
    expect(more.slots).toHaveLength(2);
    expect(more.blockedBy).toBe(1);
    for (const slot of more.slots) b.finish(slot);
    await sleep(20);
    const refused = await a.reserve(1);
    expect(refused.slots).toHaveLength(0);
    // The finished calls count for the whole window (plus at most one bucket), not just until their lease.
    expect(refused.waitMs).toBeGreaterThan(119_000);
    expect(refused.waitMs).toBeLessThanOrEqual(120_240 + Math.ceil(120_000 / 288));
  });

  it('frees a bucketed window once the window has passed its buckets', async () => {
    prefix = `ferry-test:${randomUUID()}`;
    const window = { max: 3, perMs: 400, marginMs: 2 };
    const a = budget([window], first, { bucketAboveMs: 100 });
    for (const slot of (await a.reserve(3)).slots) a.finish(slot);
    await sleep(20);
    const full = await a.reserve(1);
    expect(full.slots).toHaveLength(0);
    expect(full.waitMs).toBeGreaterThan(300);
    await sleep(full.waitMs + 10);
    expect((await a.reserve(3)).slots).toHaveLength(3);
  });

  it('shares a pause: every process is told how long it holds', async () => {
    prefix = `ferry-test:${randomUUID()}`;
    const window = { max: 10, perMs: 1000, marginMs: 2 };
    const a = budget([window], first);
    const b = budget([window], second);
    await a.pause(400);
    const paused = await b.reserve(1);
    expect(paused).toMatchObject({ slots: [], blockedBy: 'pause' });
    expect(paused.waitMs).toBeGreaterThan(300);
    await a.pause(100); // a shorter pause never shortens a running one
    expect((await b.reserve(1)).waitMs).toBeGreaterThan(250);
  });

  it('fails with RATE_SHARED_UNAVAILABLE (systemic) when Redis does not answer', async () => {
    prefix = `ferry-test:${randomUUID()}`;
    const down = new SharedWindows({
      redis: { get: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) },
      budgetKey: `${prefix}:{b}`,
      windows: [{ max: 1, perMs: 1000, marginMs: 2 }],
    });
    const error: unknown = await down.reserve(1).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'RATE_SHARED_UNAVAILABLE', details: { systemic: true } });
    expect((error as { hint?: string }).hint).toMatch(/Redis/);
  });
});
