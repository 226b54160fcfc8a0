import type { RateLimits } from '../contract/connector.js';
import { createLimiter, type Limiter, type LimiterOptions } from './limiter.js';

/**
 * One limiter per (connector, account): every client, stream and pipeline of the process that talks to the
 * same GHL location shares its budget, as the API counts it. The first caller's limits win; a different
 * timeScale (a sandbox run at another speed) is another world and gets its own limiter.
 */
const limiters = new Map<string, Limiter>();

export function limiterFor(connector: string, account: string, limits: RateLimits | undefined, options: LimiterOptions = {}): Limiter {
  const key = `${connector}\u0000${account}\u0000${options.timeScale ?? 1}`;
  let limiter = limiters.get(key);
  if (limiter === undefined) {
    limiter = createLimiter(limits, options);
    limiters.set(key, limiter);
  }
  return limiter;
}

/** Stops and forgets every shared limiter (process shutdown, or tests that need a fresh budget). */
export async function forgetLimiters(): Promise<void> {
  const all = [...limiters.values()];
  limiters.clear();
  await Promise.all(all.map((l) => l.stop()));
}
