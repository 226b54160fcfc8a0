import { randomUUID } from 'node:crypto';
import { createServer, connect, type Socket, type Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../coordination/redis-connection.js';
import { defineConnector } from '../contract/connector.js';
import { createContextFactory } from '../runtime/context-factory.js';
import { createHttpClient } from './http-client.js';
import { isSystemicError } from './http-error.js';
import { createLimiter, type Limiter, type LimiterOptions } from './limiter.js';
import { forgetLimiters, limiterFor } from './limiter-registry.js';
import { serveRecordingApi } from './recording-api.fixture.js';
import { closeSharedWindowConnections } from './shared-window-connection.js';

// Limiters of one process standing in for several: each has a Redis connection of its own.
const REDIS_URL = 'redis://127.0.0.1:6379/0';

let admin: Redis;
let keyPrefix: string;
const limiters: Limiter[] = [];
const connections: Redis[] = [];

beforeAll(async () => {
  admin = await connectRedis(REDIS_URL, { purpose: 'a test' });
});
afterEach(async () => {
  await Promise.all(limiters.splice(0).map((l) => l.stop()));
  for (const redis of connections.splice(0)) redis.disconnect();
  await forgetLimiters();
  await closeSharedWindowConnections();
  const keys = await admin.keys(`${keyPrefix}*`);
  if (keys.length > 0) await admin.del(...keys);
});
afterAll(() => {
  admin.disconnect();
});

/** A limiter of the test's budget with a Redis connection of its own, as another process would have. */
async function sharedLimiter(windows: readonly { max: number; perMs: number }[], options: Omit<LimiterOptions, 'shared'> & { bucketAboveMs?: number } = {}): Promise<Limiter> {
  const redis = await connectRedis(REDIS_URL, { purpose: 'a test' });
  connections.push(redis);
  const { bucketAboveMs, ...rest } = options;
  const limiter = createLimiter(
    { windows },
    { ...rest, shared: { redis, keyPrefix, budget: 'api/acct-1', ...(bucketAboveMs === undefined ? {} : { bucketAboveMs }) } },
  );
  limiters.push(limiter);
  return limiter;
}

describe('shared limiter: one budget across limiters', () => {
  it('a pause after a 429 in one process holds the others', async () => {
    keyPrefix = `ferry-test:${randomUUID()}`;
    const a = await sharedLimiter([{ max: 100, perMs: 1000 }]);
    const b = await sharedLimiter([{ max: 100, perMs: 1000 }]);
    await b.schedule(async () => 'warm');
    const pausedAt = performance.now();
    a.pause(400);
    await sleep(50);
    let startedAt = 0;
    const call = b.schedule(async () => void (startedAt = performance.now()));
    await sleep(50);
    expect(b.stats().pausedForMs).toBeGreaterThan(100);
    expect(b.stats().queued).toBe(1);
    await call;
    expect(startedAt - pausedAt).toBeGreaterThanOrEqual(395);
  });

  it('stops at the shared daily quota with RATE_BUDGET_SPENT once every process together spent it', async () => {
    keyPrefix = `ferry-test:${randomUUID()}`;
    const windows = [{ max: 100, perMs: 10_000 }, { max: 5, perMs: 86_400_000 }];
    const a = await sharedLimiter(windows, { maxWaitMs: 1000 });
    const b = await sharedLimiter(windows, { maxWaitMs: 1000 });
    let calls = 0;
    const call = async (): Promise<void> => void (calls += 1);
    await Promise.all([a.schedule(call), a.schedule(call), a.schedule(call)]);
    await Promise.all([b.schedule(call), b.schedule(call)]);
    await expect(b.schedule(call)).rejects.toMatchObject({ code: 'RATE_BUDGET_SPENT', details: { systemic: true, spent: 'daily' } });
    await expect(a.schedule(call)).rejects.toMatchObject({ code: 'RATE_BUDGET_SPENT' });
    expect(calls).toBe(5);
    expect(a.stats()).toMatchObject({ shared: true, sent: 3 });
  });

  it('a bucketed window never holds more than max calls within the window', async () => {
    keyPrefix = `ferry-test:${randomUUID()}`;
    const window = { max: 4, perMs: 500 };
    const spans: { start: number; end: number }[] = [];
    const hammer = async (limiter: Limiter): Promise<void> => {
      const until = performance.now() + 1300;
      const loop = async (): Promise<void> => {
        while (performance.now() < until) {
          await limiter.schedule(async () => {
            const start = performance.now();
            await sleep(5);
            spans.push({ start, end: performance.now() });
          });
        }
      };
      await Promise.all([loop(), loop(), loop()]);
    };
    const a = await sharedLimiter([window], { bucketAboveMs: 100 });
    const b = await sharedLimiter([window], { bucketAboveMs: 100 });
    await Promise.all([hammer(a), hammer(b)]);
    expect(spans.length).toBeGreaterThanOrEqual(8);
    for (const call of spans) {
      // Calls holding a slot when this one started: in flight, or ended less than a window before.
      const holding = spans.filter((other) => other !== call && other.start <= call.start && other.end + window.perMs > call.start);
      expect(holding.length).toBeLessThan(window.max);
    }
  });
});

describe('shared limiter: Redis unavailable', () => {
  it('fails a call with RATE_SHARED_UNAVAILABLE after maxWaitMs when Redis is not there, never sending it', async () => {
    keyPrefix = `ferry-test:${randomUUID()}`;
    const limiter = createLimiter({ windows: [{ max: 10, perMs: 1000 }] }, { maxWaitMs: 800, shared: { redis: 'redis://:hunter2@127.0.0.1:1/0', keyPrefix, budget: 'api/acct-1' } });
    limiters.push(limiter);
    let sent = false;
    const startedAt = performance.now();
    const error: unknown = await limiter.schedule(async () => void (sent = true)).catch((e: unknown) => e);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(750);
    expect(error).toMatchObject({ code: 'RATE_SHARED_UNAVAILABLE', details: { systemic: true } });
    expect((error as { hint?: string }).hint).toMatch(/Redis/);
    expect(`${String((error as Error).message)} ${JSON.stringify(error)}`).not.toContain('hunter2');
    expect(sent).toBe(false);
  });

  it('the HTTP client passes the failure on as it is: systemic, not retried as a network error', async () => {
    keyPrefix = `ferry-test:${randomUUID()}`;
    const api = await serveRecordingApi(0);
    try {
      const limiter = createLimiter({ windows: [{ max: 10, perMs: 1000 }] }, { maxWaitMs: 300, shared: { redis: 'redis://127.0.0.1:1/0', keyPrefix, budget: 'api/acct-1' } });
      limiters.push(limiter);
      const client = createHttpClient({ connector: 'api', account: 'acct-1', baseUrl: api.url, profile: { baseUrl: () => api.url }, log: pino({ level: 'silent' }), limiter });
      const error: unknown = await client.request({ method: 'GET', path: '/x' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'RATE_SHARED_UNAVAILABLE' });
      expect(isSystemicError(error)).toBe(true);
      expect(client.stats.retries).toBe(0);
      expect(api.arrivals).toHaveLength(0);
    } finally {
      await api.close();
    }
  });

  it('waits while Redis is cut off mid-run, fails after maxWaitMs, and goes on once it is back', async () => {
    keyPrefix = `ferry-test:${randomUUID()}`;
    const proxy = await tcpProxy(6379);
    try {
      const limiter = createLimiter({ windows: [{ max: 10, perMs: 1000 }] }, { maxWaitMs: 2500, shared: { redis: `redis://127.0.0.1:${proxy.port}/0`, keyPrefix, budget: 'api/acct-1' } });
      limiters.push(limiter);
      expect(await limiter.schedule(async () => 'before')).toBe('before');
      await proxy.cut();
      let sent = false;
      const cutAt = performance.now();
      await expect(limiter.schedule(async () => void (sent = true))).rejects.toMatchObject({ code: 'RATE_SHARED_UNAVAILABLE' });
      // It waited for Redis (retrying) rather than failing at the first refusal, and was never let through.
      expect(performance.now() - cutAt).toBeGreaterThanOrEqual(2400);
      expect(sent).toBe(false);
      await proxy.restore();
      // ioredis reconnects with a growing backoff (up to 5 s): calls fail typed until it is back, then go on.
      let outcome: unknown;
      for (let tries = 0; tries < 8 && outcome !== 'after'; tries += 1) {
        outcome = await limiter.schedule(async () => 'after').catch((error: unknown) => error);
        if (outcome !== 'after') expect(outcome).toMatchObject({ code: 'RATE_SHARED_UNAVAILABLE' });
      }
      expect(outcome).toBe('after');
    } finally {
      await proxy.cut();
    }
  });
});

describe('limiterFor with a shared budget', () => {
  it('shares per (connector, account) and gives callers that do not ask the shared limiter', () => {
    keyPrefix = `ferry-test:${randomUUID()}`;
    const limits = { windows: [{ max: 10, perMs: 1000 }] };
    const shared = limiterFor('api', 'acct-1', limits, { shared: { redis: REDIS_URL, keyPrefix } });
    expect(shared.stats().shared).toBe(true);
    expect(limiterFor('api', 'acct-1', limits, { shared: { redis: REDIS_URL, keyPrefix } })).toBe(shared);
    expect(limiterFor('api', 'acct-1', limits)).toBe(shared);
    expect(limiterFor('api', 'acct-2', limits).stats().shared).toBe(false);
    expect(limiterFor('api', 'acct-1', limits, { timeScale: 10 })).not.toBe(shared);
  });

  it('admits calls through the budget named after connector and account', async () => {
    keyPrefix = `ferry-test:${randomUUID()}`;
    const limits = { windows: [{ max: 2, perMs: 60_000 }] };
    const limiter = limiterFor('api', 'acct-1', limits, { shared: { redis: REDIS_URL, keyPrefix }, maxWaitMs: 100 });
    await Promise.all([limiter.schedule(async () => 1), limiter.schedule(async () => 2)]);
    await sleep(20);
    expect(await admin.zcard(`${keyPrefix}:{api/acct-1@x1}:60000ms:slots`)).toBe(2);
  });
});

describe('a project with redis:', () => {
  it('gives its connections limiters that share their budget in Redis', async () => {
    const account = `acct-${randomUUID()}`;
    keyPrefix = `ferry:rate:{api/${account}@`;
    const api = await serveRecordingApi(0);
    const connector = defineConnector({
      name: 'api',
      version: '1.0.0',
      description: 'test API',
      configSchema: {},
      auth: [{ kind: 'none' }],
      limits: { windows: [{ max: 5, perMs: 60_000 }] },
      http: { baseUrl: () => api.url },
      streams: [],
      actions: [],
      triggers: [],
    });
    const contexts = createContextFactory({
      project: {
        file: '/project/ferry.yaml',
        baseDir: '/project',
        store: './ferry.db',
        redis: { url: REDIS_URL },
        connections: { crm: { name: 'crm', connector: 'api', config: { accountId: account }, auth: { kind: 'none' } } },
        pipelineFiles: [],
        serve: { host: '127.0.0.1', port: 0 },
        log: { level: 'silent' },
      },
      registry: new Map([['api', connector]]),
      store: { getValue: () => undefined, setValue: () => undefined },
      log: pino({ level: 'silent' }),
    });
    try {
      await contexts.context('crm').http.request({ method: 'GET', path: '/x' });
      expect(limiterFor('api', account, connector.limits).stats()).toMatchObject({ shared: true, sent: 1 });
      await sleep(20);
      expect(await admin.zcard(`${keyPrefix}x1}:60000ms:slots`)).toBe(1);
    } finally {
      await contexts.close();
      await api.close();
    }
  });
});

/** A TCP proxy to a local port that can be cut (connections dropped, port closed) and restored on the same port. */
async function tcpProxy(target: number): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port: number): Promise<number> => {
    const next = createServer((client) => {
      const upstream = connect(target, '127.0.0.1');
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    server = next;
    return new Promise((resolve) => next.listen(port, '127.0.0.1', () => {
      const address = next.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    }));
  };
  const port = await listen(0);
  return {
    port,
    async cut() {
      const closing = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (closing !== undefined) await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    async restore() {
      await listen(port);
    },
  };
}
