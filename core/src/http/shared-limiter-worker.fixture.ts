/**
 * A worker process for the shared-limiter tests: one limiter sharing a budget through Redis, run as its own
 * process (`node --import tsx shared-limiter-worker.fixture.ts '<json>'`). It prints JSON lines on stdout:
 * `{"ready":true}` once Redis answers; then, after a line `go` on stdin,
 *   hammer: calls `url` from `concurrency` loops for `durationMs`, then `{"done":true,"sent":n,"statuses":[…]}`
 *   hold:   starts `max` calls that never end, then `{"holding":true}`, and waits to be killed.
 */
import { createInterface } from 'node:readline';
import { request } from 'undici';
import { createLimiter } from './limiter.js';
import { closeSharedWindowConnections, sharedWindowConnection } from './shared-window-connection.js';

interface WorkerArgs {
  readonly mode: 'hammer' | 'hold';
  readonly redis: string;
  readonly keyPrefix: string;
  readonly budget: string;
  readonly max: number;
  readonly perMs: number;
  readonly leaseMs?: number;
  readonly url?: string;
  readonly durationMs?: number;
  readonly concurrency?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as WorkerArgs;
const say = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

await sharedWindowConnection(args.redis).get();
const limiter = createLimiter(
  { windows: [{ max: args.max, perMs: args.perMs }] },
  { shared: { redis: args.redis, keyPrefix: args.keyPrefix, budget: args.budget, ...(args.leaseMs === undefined ? {} : { leaseMs: args.leaseMs }) } },
);
say({ ready: true });
const lines = createInterface({ input: process.stdin });
for await (const line of lines) if (line.trim() === 'go') break;

if (args.mode === 'hold') {
  for (let i = 0; i < args.max; i += 1) {
    void limiter.schedule(() => new Promise<never>(() => undefined)).catch(() => undefined);
  }
  const waitUntilHolding = (): void => {
    if (limiter.stats().running === args.max) say({ holding: true });
    else setTimeout(waitUntilHolding, 5);
  };
  waitUntilHolding();
  setInterval(() => undefined, 60_000);
} else {
  const deadline = performance.now() + (args.durationMs ?? 1000);
  const statuses: number[] = [];
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      try {
        const status = await limiter.schedule(async () => {
          const res = await request(args.url ?? 'http://127.0.0.1:9/');
          await res.body.dump();
          return res.statusCode;
        });
        statuses.push(status);
      } catch {
        return; // stopped at the deadline while waiting
      }
    }
  };
  const loops = Array.from({ length: args.concurrency ?? 10 }, () => loop());
  await Promise.race([Promise.all(loops), new Promise((resolve) => setTimeout(resolve, (args.durationMs ?? 1000) + 50))]);
  await limiter.stop();
  await Promise.allSettled(loops);
  say({ done: true, sent: limiter.stats().sent, statuses });
  await closeSharedWindowConnections();
  process.exit(0);
}
