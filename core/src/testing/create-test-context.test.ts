import { describe, expect, it } from 'vitest';
import { FerryError } from '../errors/ferry-error.js';
import { createTestContext } from './create-test-context.js';

describe('createTestContext', () => {
  it('gives a quiet, self-contained context with sensible defaults', () => {
    const ctx = createTestContext({ config: { path: 'x' } });
    expect(ctx.connection).toBe('test');
    expect(ctx.config).toEqual({ path: 'x' });
    expect(ctx.baseDir).toBe(process.cwd());
    expect(ctx.signal.aborted).toBe(false);
    expect(ctx.cache.size).toBe(0);
    expect(() => ctx.log.child({ a: 1 }).info('nothing is printed')).not.toThrow();
    expect(createTestContext().cache).not.toBe(ctx.cache);
  });

  it('fails every HTTP request with NO_HTTP unless a client is given', async () => {
    const ctx = createTestContext({ connection: 'crm' });
    const error: unknown = await ctx.http.request({ method: 'GET', path: '/contacts' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({ code: 'NO_HTTP', message: "connection 'crm' has no HTTP client in this context" });
    expect((error as FerryError).hint).toContain('createTestContext');
    const http = { stats: { calls: 1, retries: 0, rateLimited: 0, utilization: 0 }, request: <T>() => Promise.resolve({ status: 200, headers: {}, body: 'ok' as T, traceId: undefined }) };
    expect(await createTestContext({ http }).http.request({ method: 'GET', path: '/' })).toMatchObject({ status: 200, body: 'ok' });
  });
});
