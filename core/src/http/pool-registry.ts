import type * as Undici from 'undici';
import type { Pool } from 'undici';
import { onFirstUse } from '../util/load-on-first-use.js';

/** undici (about 110 modules) loads with the first pool: commands that call no API never load it. */
const undici = onFirstUse<typeof Undici>('undici');

/**
 * One keep-alive connection pool per origin, shared by every client of the process: two connections to the
 * same API (two GHL locations) reuse the same sockets. Settings come from the first client of an origin.
 */
const pools = new Map<string, Pool>();

export interface PoolSettings {
  readonly connectMs: number;
  /** Sockets per origin; requests beyond it queue in the pool. */
  readonly connections?: number;
}

export function poolFor(origin: string, settings: PoolSettings): Pool {
  const existing = pools.get(origin);
  if (existing !== undefined && !existing.closed && !existing.destroyed) return existing;
  const pool = new (undici().Pool)(origin, {
    connections: settings.connections ?? 32,
    keepAliveTimeout: 10_000,
    connect: { timeout: settings.connectMs },
  });
  pools.set(origin, pool);
  return pool;
}

/** Graceful shutdown of the given origins' pools: in-flight requests finish, new ones open a new pool. */
export async function closePools(origins: Iterable<string>): Promise<void> {
  const closing: Promise<void>[] = [];
  for (const origin of origins) {
    const pool = pools.get(origin);
    if (pool === undefined) continue;
    pools.delete(origin);
    if (!pool.closed && !pool.destroyed) closing.push(pool.close());
  }
  await Promise.all(closing);
}

/** Closes every pool: call once at process shutdown so keep-alive sockets do not hold the event loop. */
export function closeAllPools(): Promise<void> {
  return closePools([...pools.keys()]);
}
