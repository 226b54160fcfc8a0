import type * as IoRedis from 'ioredis';
import type { Redis } from 'ioredis';
import { onFirstUse } from '../util/load-on-first-use.js';
import { FerryError } from '../errors/ferry-error.js';

/** ioredis loads with the first connection: commands that never reach Redis never load it. */
const ioredis = onFirstUse<typeof IoRedis>('ioredis');

/** A Redis URL may carry a password (redis://:secret@host): it never reaches a message or a log. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}

export interface RedisConnectionOptions {
  /** What the connection is for, named in errors ("shared rate budgets", "the run queue"). */
  readonly purpose: string;
  /** BullMQ's blocking connections need `null` (never give up on a command); others fail a command after retries. */
  readonly maxRetriesPerRequest?: number | null;
  /** How long the first connection may take before REDIS_UNAVAILABLE (default 5000 ms). */
  readonly connectTimeoutMs?: number;
}

/**
 * Opens a Redis connection for one purpose and waits until it answers, so a wrong URL or a stopped server is one
 * clear REDIS_UNAVAILABLE error at start-up instead of commands that hang. Each purpose gets its own connection:
 * BullMQ blocks its connections, and a lock or window script must never wait behind a blocked read.
 */
export async function connectRedis(url: string, options: RedisConnectionOptions): Promise<Redis> {
  const where = redactRedisUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FerryError('REDIS_URL_INVALID', `'${where}' is not a Redis URL (for ${options.purpose})`, {
      hint: 'write it as redis://host:port/db, e.g. redis://127.0.0.1:6379/0 (rediss:// for TLS)',
    });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new FerryError('REDIS_URL_INVALID', `'${where}' is not a Redis URL (for ${options.purpose})`, {
      hint: 'it must start with redis:// or rediss://',
    });
  }
  const redis = new (ioredis().Redis)(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 3 : options.maxRetriesPerRequest,
    enableOfflineQueue: true,
    // Back within two seconds of Redis returning: ioredis's default backoff grows to several seconds.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Without a listener, ioredis reports every reconnect attempt as an unhandled 'error' event.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new FerryError('REDIS_UNAVAILABLE', `cannot reach Redis at ${where} (for ${options.purpose})`, {
      hint: 'start Redis or fix the URL; check with `redis-cli -u <url> ping`',
      details: { reason: error instanceof Error ? error.message.replace(url, where) : String(error) },
    });
  }
  return redis;
}
