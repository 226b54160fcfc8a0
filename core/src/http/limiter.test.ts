import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createLimiter, type Limiter } from './limiter.js';
import { readFixtureHeaders, serveRateLimitedApi, type RateLimitedApi } from './rate-limited-api.fixture.js';
import { closeAllPools } from './pool-registry.js';
import { limiterFor, forgetLimiters } from './limiter-registry.js';

let api: RateLimitedApi | undefined;
let limiter: Limiter | undefined;
afterEach(async () => {
  await limiter?.stop();
  await api?.close();
  api = limiter = undefined;
});
afterAll(async () => {
  await forgetLimiters();
  await closeAllPools();
});

/** Sends `count` GETs through the limiter at once and returns the statuses. */
async function burst(target: RateLimitedApi, through: Limiter, count: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: count }, () =>
      through.schedule(async () => {
        const res = await request(`${target.url}/x`);
        await res.body.dump();
        through.observe(Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v])));
        return res.statusCode;
      }),
    ),
  );
}

describe('createLimiter: throttling ahead of time', () => {
  // 50 per 10 s plus a daily quota, run 10 times faster: 50 per second. 150 calls need two windows after the
  // first burst.
  const limits = { windows: [{ max: 50, perMs: 10_000 }, { max: 200_000, perMs: 86_400_000 }], maxConcurrent: 25 };

  for (const mode of ['sliding', 'fixed'] as const) {
    it(`never exceeds a ${mode} server window and reaches >= 95% of the ceiling`, async () => {
      api = await serveRateLimitedApi({ max: 50, perMs: 1000, mode });
      limiter = createLimiter(limits, { timeScale: 10 });
      const statuses = await burst(api, limiter, 150);
      expect(statuses.filter((s) => s === 429)).toHaveLength(0);
      expect(api.window.rejected).toBe(0);
      expect(api.window.peak).toBeLessThanOrEqual(50);
      // Sustained rate: the ceiling lets the i-th and the (i+50)-th call arrive one window apart; every slot is
      // reused within 5% of that (the rest is the response's round trip, the safety margin and timer lag).
      const gaps = api.accepted.slice(50).map((at, i) => at - (api!.accepted[i] ?? 0));
      const meanGap = gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
      expect(1000 / meanGap).toBeGreaterThanOrEqual(0.95);
      expect(1000 / meanGap).toBeLessThanOrEqual(1);
      const stats = limiter.stats();
      expect(stats.sent).toBe(150);
      // Held share of the window while active; below 1 only by the ramp while Bottleneck admits the first burst.
      expect(stats.utilization).toBeGreaterThanOrEqual(0.75);
      expect(stats.utilization).toBeLessThanOrEqual(1);
      expect(stats.queued + stats.running).toBe(0);
    });
  }

  it('lets a fresh budget go out as one burst', async () => {
    api = await serveRateLimitedApi({ max: 50, perMs: 5000, mode: 'sliding' });
    limiter = createLimiter({ windows: [{ max: 50, perMs: 5000 }] });
    const started = performance.now();
    await burst(api, limiter, 50);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('reports a small burst as a small share of the window', async () => {
    api = await serveRateLimitedApi({ max: 100, perMs: 5000, mode: 'sliding' });
    limiter = createLimiter({ windows: [{ max: 100, perMs: 5000 }] });
    await burst(api, limiter, 5);
    expect(limiter.stats().utilization).toBeGreaterThan(0);
    expect(limiter.stats().utilization).toBeLessThanOrEqual(0.05);
  });

  it('respects maxConcurrent', async () => {
    limiter = createLimiter({ windows: [], maxConcurrent: 3 });
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        limiter!.schedule(async () => {
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 10));
          running -= 1;
        }),
      ),
    );
    expect(peak).toBe(3);
  });
});

describe('createLimiter: admission', () => {
  it('admits a whole fresh budget at once, not one call per timer tick', async () => {
    limiter = createLimiter({ windows: [{ max: 100, perMs: 60_000 }] });
    const startedAt: number[] = [];
    await Promise.all(Array.from({ length: 100 }, () => limiter!.schedule(async () => void startedAt.push(performance.now()))));
    expect(startedAt).toHaveLength(100);
    // A timer tick per admission (1 ms at best) would spread 100 calls over 100 ms or more.
    expect(Math.max(...startedAt) - Math.min(...startedAt)).toBeLessThan(50);
    expect(limiter.stats().windows[0]?.available).toBe(0);
  });

  it('costs well under a millisecond a call when the windows have room', async () => {
    limiter = createLimiter({ windows: [{ max: 1_000_000, perMs: 1000 }, { max: 10_000_000, perMs: 86_400_000 }] });
    const started = performance.now();
    for (let i = 0; i < 2000; i += 1) await limiter.schedule(async () => i);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(limiter.stats().sent).toBe(2000);
  });

  it('reports the mean time calls took and the margin of each window', async () => {
    limiter = createLimiter({ windows: [{ max: 10, perMs: 1000 }] });
    expect(limiter.stats().meanCallMs).toBe(0);
    await Promise.all([20, 40].map((ms) => limiter!.schedule(() => new Promise((resolve) => setTimeout(resolve, ms)))));
    const stats = limiter.stats();
    expect(stats.meanCallMs).toBeGreaterThanOrEqual(29);
    expect(stats.meanCallMs).toBeLessThan(200);
    expect(stats.windows).toEqual([{ max: 10, perMs: 1000, marginMs: 2, available: 8 }]);
  });

  it('serves waiting calls by priority, then in arrival order', async () => {
    limiter = createLimiter({ windows: [], maxConcurrent: 1 });
    const order: string[] = [];
    let release: () => void = () => undefined;
    const first = limiter.schedule(() => new Promise<void>((resolve) => (release = resolve)));
    const rest = [
      limiter.schedule(async () => void order.push('late'), { priority: 9 }),
      limiter.schedule(async () => void order.push('normal-1')),
      limiter.schedule(async () => void order.push('urgent'), { priority: 0 }),
      limiter.schedule(async () => void order.push('normal-2')),
    ];
    expect(limiter.stats()).toMatchObject({ queued: 4, running: 1 });
    release();
    await Promise.all([first, ...rest]);
    expect(order).toEqual(['urgent', 'normal-1', 'normal-2', 'late']);
  });

  it('rejects an aborted running call at once but holds its slot until the call ends', async () => {
    limiter = createLimiter({ windows: [{ max: 1, perMs: 60_000 }] });
    const controller = new AbortController();
    let finish: () => void = () => undefined;
    const call = limiter.schedule(() => new Promise<string>((resolve) => (finish = () => resolve('late'))), { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(limiter.stats()).toMatchObject({ running: 1, sent: 1 });
    finish();
    await new Promise((r) => setTimeout(r, 5));
    expect(limiter.stats()).toMatchObject({ running: 0, windows: [{ available: 0 }] });
  });

  it('stops: waiting calls fail with LIMITER_STOPPED, running ones finish first, new ones are refused', async () => {
    const stopping = createLimiter({ windows: [], maxConcurrent: 1 });
    let finish: () => void = () => undefined;
    let finished = false;
    const running = stopping.schedule(() => new Promise<void>((resolve) => (finish = resolve)).then(() => void (finished = true)));
    const waiting = stopping.schedule(async () => 'never');
    const stopped = stopping.stop();
    await expect(waiting).rejects.toMatchObject({ code: 'LIMITER_STOPPED' });
    setTimeout(finish, 20);
    await stopped;
    expect(finished).toBe(true);
    await running;
    await expect(stopping.schedule(async () => 1)).rejects.toMatchObject({ code: 'LIMITER_STOPPED' });
  });
});

describe('createLimiter: adapting to the server', () => {
  it('slows down when X-RateLimit-Remaining shows another app spent part of the budget', async () => {
    const run = async (adaptive: boolean) => {
      const target = await serveRateLimitedApi({ max: 10, perMs: 600, mode: 'sliding', headers: true });
      const through = createLimiter({ windows: [{ max: 10, perMs: 600 }], ...(adaptive ? { readHeaders: readFixtureHeaders } : {}) });
      try {
        target.spendForeign(6);
        await burst(target, through, 1); // learns: 3 left
        if (adaptive) expect(through.stats().windows[0]?.available).toBe(3);
        const statuses = await burst(target, through, 5);
        return { rejected: target.window.rejected, statuses };
      } finally {
        await through.stop();
        await target.close();
      }
    };
    const blind = await run(false);
    expect(blind.rejected).toBe(2);
    const adaptive = await run(true);
    expect(adaptive.rejected).toBe(0);
    expect(adaptive.statuses.every((s) => s === 200)).toBe(true);
  });

  it('pauses every queued call until the penalty ends, then resumes', async () => {
    limiter = createLimiter({ windows: [{ max: 1000, perMs: 1000 }], maxConcurrent: 4 });
    const pauseMs = 250;
    let pausedAt = 0;
    const startedAt: number[] = [];
    const first = limiter.schedule(async () => {
      pausedAt = performance.now();
      limiter!.pause(pauseMs);
    });
    await first;
    const rest = Array.from({ length: 8 }, () => limiter!.schedule(async () => void startedAt.push(performance.now())));
    await new Promise((r) => setTimeout(r, 50));
    expect(limiter.stats().pausedForMs).toBeGreaterThan(100);
    expect(startedAt).toHaveLength(0);
    await Promise.all(rest);
    expect(Math.min(...startedAt) - pausedAt).toBeGreaterThanOrEqual(pauseMs - 2);
    expect(limiter.stats().pausedForMs).toBe(0);
  });

  it('picks the pause: Retry-After, else the header reset, else the penalty, else the shortest window', () => {
    limiter = createLimiter({ windows: [{ max: 100, perMs: 10_000 }, { max: 5, perMs: 2000 }], penaltyMs: 60_000 }, { timeScale: 10 });
    expect(limiter.penaltyFor({ resetInMs: 700 }, 300)).toBe(300);
    expect(limiter.penaltyFor({ resetInMs: 700 }, undefined)).toBe(700);
    expect(limiter.penaltyFor({}, undefined)).toBe(6000);
    const noPenalty = createLimiter({ windows: [{ max: 100, perMs: 10_000 }, { max: 5, perMs: 2000 }] }, { timeScale: 10 });
    expect(noPenalty.penaltyFor({}, undefined)).toBe(200);
  });
});

describe('createLimiter: waiting and giving up', () => {
  it('drops a queued call when its signal aborts, and gives its slot back', async () => {
    limiter = createLimiter({ windows: [{ max: 1, perMs: 60_000 }] });
    await limiter.schedule(async () => 'first');
    const controller = new AbortController();
    const waiting = limiter.schedule(async () => 'never', { signal: controller.signal });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    expect(limiter.stats().sent).toBe(1);
  });

  it('fails fast with a systemic error when the daily budget is spent for longer than maxWaitMs', async () => {
    limiter = createLimiter({ windows: [{ max: 2, perMs: 86_400_000 }] }, { maxWaitMs: 1000 });
    await limiter.schedule(async () => 1);
    await limiter.schedule(async () => 2);
    await expect(limiter.schedule(async () => 3)).rejects.toMatchObject({ code: 'RATE_BUDGET_SPENT', details: { systemic: true } });
  });

  it('shrinks the daily window from the daily remaining header', async () => {
    limiter = createLimiter({ windows: [{ max: 100, perMs: 10_000 }, { max: 200_000, perMs: 86_400_000 }], readHeaders: () => ({ remaining: 90, dailyRemaining: 0 }) }, { maxWaitMs: 1000 });
    await limiter.schedule(async () => limiter!.observe({}));
    expect(limiter.stats().windows.map((w) => w.available)).toEqual([90, 0]);
    await expect(limiter.schedule(async () => 0)).rejects.toThrow(/rate budget is spent/);
  });

  it('shares one limiter per (connector, account)', () => {
    const limits = { windows: [{ max: 1, perMs: 1000 }] };
    expect(limiterFor('ghl', 'loc-1', limits)).toBe(limiterFor('ghl', 'loc-1', limits));
    expect(limiterFor('ghl', 'loc-1', limits)).not.toBe(limiterFor('ghl', 'loc-2', limits));
  });
});
