import type { Redis } from 'ioredis';
import { connectRedis, type RedisConnectionOptions } from './redis-connection.js';

/**
 * A Redis connection opened on first use, for code that is built synchronously (a limiter) but talks to Redis
 * later. Concurrent first uses share one attempt; a failed attempt is forgotten, so the next use tries again
 * (Redis may have come back). Once open, ioredis reconnects by itself.
 */
export class LazyRedis {
  private connecting: Promise<Redis> | undefined;
  private open: Redis | undefined;

  constructor(
    private readonly url: string,
    private readonly options: RedisConnectionOptions,
  ) {}

  /** The open connection; rejects with REDIS_URL_INVALID or REDIS_UNAVAILABLE. */
  get(): Promise<Redis> {
    if (this.open !== undefined) return Promise.resolve(this.open);
    this.connecting ??= connectRedis(this.url, this.options).then(
      (redis) => {
        this.open = redis;
        this.connecting = undefined;
        return redis;
      },
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  /** Closes the connection (after its pending replies); a later get() opens a new one. */
  async close(): Promise<void> {
    const pending = this.connecting;
    this.connecting = undefined;
    const redis = this.open ?? (await pending?.catch(() => undefined));
    this.open = undefined;
    if (redis === undefined) return;
    // QUIT would wait in the offline queue of a connection that is down: drop it at once instead.
    if (redis.status !== 'ready') {
      redis.disconnect();
      return;
    }
    try {
      await redis.quit();
    } catch {
      redis.disconnect();
    }
  }
}
