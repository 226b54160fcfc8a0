import type { RateLimits } from '../contract/connector.js';
import { createLimiter, type Limiter, type LimiterOptions } from './limiter.js';
import { closeSharedWindowConnections } from './shared-window-connection.js';
import type { SharedBudgetOptions } from './shared-windows.js';

/** Options of a registry limiter: a shared budget is named by the registry, after (connector, account). */
export interface LimiterForOptions extends Omit<LimiterOptions, 'shared'> {
  /** Share the budget through the Redis at this URL (ferry.yaml's `redis:`) with every other process. */
  readonly shared?: Omit<SharedBudgetOptions, 'budget' | 'redis'> & { readonly redis: string };
}

/**
 * One limiter per (connector, account): every client, stream and pipeline of the process that talks to the
 * same GHL location shares its budget, as the API counts it. The first caller's limits win; a different
 * timeScale (a sandbox run at another speed) is another world and gets its own limiter. A limiter shared
 * through Redis is another limiter than a local one; a caller that does not ask for sharing (a metrics
 * probe) gets the shared one when it exists, so one process never spends the same account's budget twice.
 */
const limiters = new Map<string, Limiter>();
const sharedByWorld = new Map<string, Limiter>();

export function limiterFor(connector: string, account: string, limits: RateLimits | undefined, options: LimiterForOptions = {}): Limiter {
  const world = `${connector}\u0000${account}\u0000${options.timeScale ?? 1}`;
  const { shared, ...local } = options;
  if (shared === undefined) {
    const existing = sharedByWorld.get(world) ?? limiters.get(world);
    if (existing !== undefined) return existing;
    const limiter = createLimiter(limits, local);
    limiters.set(world, limiter);
    return limiter;
  }
  const key = `${world}\u0000${shared.redis}\u0000${shared.keyPrefix ?? ''}`;
  let limiter = limiters.get(key);
  if (limiter === undefined) {
    limiter = createLimiter(limits, { ...local, shared: { ...shared, budget: `${connector}/${account}` } });
    limiters.set(key, limiter);
    sharedByWorld.set(world, limiter);
  }
  return limiter;
}

/** Stops and forgets every registry limiter and closes their Redis connections (process shutdown, tests). */
export async function forgetLimiters(): Promise<void> {
  const all = [...limiters.values()];
  limiters.clear();
  sharedByWorld.clear();
  await Promise.all(all.map((l) => l.stop()));
  await closeSharedWindowConnections();
}
