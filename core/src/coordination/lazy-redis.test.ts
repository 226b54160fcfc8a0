import { describe, expect, it } from 'vitest';
import { LazyRedis } from './lazy-redis.js';

describe('LazyRedis', () => {
  it('connects on first use, shares one connection, and reopens after close', async () => {
    const lazy = new LazyRedis('redis://127.0.0.1:6379/0', { purpose: 'a test' });
    try {
      const [a, b] = await Promise.all([lazy.get(), lazy.get()]);
      expect(a).toBe(b);
      expect(await a.ping()).toBe('PONG');
      await lazy.close();
      await new Promise<void>((resolve) => (a.status === 'end' ? resolve() : a.once('end', () => resolve())));
      const reopened = await lazy.get();
      expect(reopened).not.toBe(a);
      expect(await reopened.ping()).toBe('PONG');
    } finally {
      await lazy.close();
    }
  });

  it('forgets a failed attempt so that the next use tries again', async () => {
    const lazy = new LazyRedis('redis://127.0.0.1:1/0', { purpose: 'a test', connectTimeoutMs: 500 });
    await expect(lazy.get()).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    await expect(lazy.get()).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    await lazy.close();
  });
});
