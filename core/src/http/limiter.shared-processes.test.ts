import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../coordination/redis-connection.js';
import { createLimiter, type Limiter } from './limiter.js';
import { peakIn, serveRecordingApi } from './recording-api.fixture.js';

// Several worker processes (shared-limiter-worker.fixture.ts) draw from one budget in the local Redis.
const REDIS_URL = 'redis://127.0.0.1:6379/0';
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const WORKER = fileURLToPath(new URL('./shared-limiter-worker.fixture.ts', import.meta.url));

let admin: Redis;
let keyPrefix: string;
const limiters: Limiter[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  admin = await connectRedis(REDIS_URL, { purpose: 'a test' });
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(limiters.splice(0).map((l) => l.stop()));
  const keys = await admin.keys(`${keyPrefix}*`);
  if (keys.length > 0) await admin.del(...keys);
});
afterAll(() => {
  admin.disconnect();
});

/** A limiter of this process on the test's budget, with a connection of its own. */
function sharedLimiter(windows: readonly { max: number; perMs: number }[]): Limiter {
  const limiter = createLimiter({ windows }, { shared: { redis: admin, keyPrefix, budget: 'api/acct-1' } });
  limiters.push(limiter);
  return limiter;
}

interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  next(): Promise<Record<string, unknown>>;
}

function startWorker(args: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, WORKER, JSON.stringify({ redis: REDIS_URL, keyPrefix, budget: 'api/acct-1', ...args })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  return {
    child,
    async next() {
      const line = await lines.next();
      if (line.done === true) throw new Error(`worker ended early: ${stderr}`);
      return JSON.parse(line.value) as Record<string, unknown>;
    },
  };
}

describe('shared limiter: one budget across processes', () => {
  it('two worker processes never exceed the window together and reach most of its ceiling', async () => {
    keyPrefix = `ferry-test:${randomUUID()}`;
    const api = await serveRecordingApi(20);
    try {
      const durationMs = 2000;
      const workers = [0, 1].map(() => startWorker({ mode: 'hammer', url: api.url, max: 20, perMs: 1000, durationMs, concurrency: 15 }));
      for (const worker of workers) expect(await worker.next()).toEqual({ ready: true });
      for (const worker of workers) worker.child.stdin.write('go\n');
      const results = await Promise.all(workers.map((worker) => worker.next()));
      const sent = results.reduce((sum, result) => sum + Number(result['sent']), 0);
      expect(results.every((result) => (result['statuses'] as number[]).every((status) => status === 200))).toBe(true);
      expect(api.arrivals).toHaveLength(sent);
      expect(peakIn(api.arrivals, 1000)).toBeLessThanOrEqual(20);
      // Ceiling: 20 per 1000 ms over the run; loosely, the two processes together get most of it.
      expect(api.arrivals.length).toBeGreaterThanOrEqual(0.6 * 20 * (durationMs / 1000));
    } finally {
      await api.close();
    }
  });

  it('frees the slots of a killed process after its lease; the others go on', async () => {
    keyPrefix = `ferry-test:${randomUUID()}`;
    const holder = startWorker({ mode: 'hold', max: 3, perMs: 500, leaseMs: 1500 });
    expect(await holder.next()).toEqual({ ready: true });
    holder.child.stdin.write('go\n');
    expect(await holder.next()).toEqual({ holding: true });
    holder.child.kill('SIGKILL');
    const killedAt = performance.now();
    const limiter = sharedLimiter([{ max: 3, perMs: 500 }]);
    let startedAt = 0;
    const call = limiter.schedule(async () => void (startedAt = performance.now()));
    await sleep(300);
    expect(limiter.stats()).toMatchObject({ queued: 1, running: 0, sent: 0 });
    await call;
    // The dead process' calls may have reached the API just before it died: the window still counts them.
    expect(startedAt - killedAt).toBeGreaterThanOrEqual(500);
  });
});
