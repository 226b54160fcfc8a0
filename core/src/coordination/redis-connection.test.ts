import { describe, expect, it } from 'vitest';
import { connectRedis, redactRedisUrl } from './redis-connection.js';

describe('connectRedis', () => {
  it('answers on the local Redis', async () => {
    const redis = await connectRedis('redis://127.0.0.1:6379/0', { purpose: 'a test' });
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('refuses a URL that is not redis:// with the fix', async () => {
    await expect(connectRedis('http://127.0.0.1:6379', { purpose: 'a test' })).rejects.toMatchObject({ code: 'REDIS_URL_INVALID' });
  });

  it('names the server it cannot reach, without the password', async () => {
    const error: unknown = await connectRedis('redis://:hunter2@127.0.0.1:1/0', { purpose: 'a test', connectTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REDIS_UNAVAILABLE' });
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('hunter2');
  });

  it('redacts credentials', () => {
    expect(redactRedisUrl('redis://user:pw@host:6379/1')).toBe('redis://***@host:6379/1');
  });
});
