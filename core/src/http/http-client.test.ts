import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { pino } from 'pino';
import { serveHandlers, type LoopbackServer } from '../sandbox/serve-handlers.js';
import { socketFaultResponse } from '../sandbox/fault.js';
import { createHttpClient, type HttpClientOptions } from './http-client.js';
import { closeAllPools } from './pool-registry.js';
import { forgetLimiters } from './limiter-registry.js';
import type { TokenProvider } from './token-provider.js';
import type { HttpError } from './http-error.js';

const log = pino({ level: 'silent' });
let server: LoopbackServer | undefined;
let accounts = 0;

afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(async () => {
  await forgetLimiters();
  await closeAllPools();
});

async function clientFor(handlers: RequestHandler[], options: Partial<HttpClientOptions> = {}) {
  server = await serveHandlers(handlers);
  accounts += 1;
  return createHttpClient({
    connector: 'demo',
    account: `acct-${accounts}`,
    connection: 'demo-conn',
    baseUrl: `${server.url}/v1`,
    profile: { baseUrl: () => '', headers: { Version: '2021-07-28' } },
    log,
    retry: { baseMs: 5, maxMs: 20 },
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as HttpError,
  );
}

describe('createHttpClient: requests', () => {
  it('sends query arrays as repeated keys, JSON bodies, profile headers and the bearer token', async () => {
    const token: TokenProvider = { getToken: async () => 'tok-abc123', onUnauthorized: async () => false, scopes: [] };
    const client = await clientFor(
      [
        http.post('*/v1/contacts', async ({ request }) => {
          const url = new URL(request.url);
          return HttpResponse.json(
            {
              tags: url.searchParams.getAll('tag'),
              body: await request.json(),
              auth: request.headers.get('authorization'),
              version: request.headers.get('version'),
              accept: request.headers.get('accept'),
              type: request.headers.get('content-type'),
            },
            { status: 201, headers: { 'x-trace-id': 'tr-1' } },
          );
        }),
      ],
      { token },
    );
    const res = await client.request<Record<string, unknown>>({ method: 'POST', path: '/contacts', query: { tag: ['a', 'b'], skip: undefined }, body: { name: 'Ada' } });
    expect(res.status).toBe(201);
    expect(res.traceId).toBe('tr-1');
    expect(res.body).toEqual({
      tags: ['a', 'b'],
      body: { name: 'Ada' },
      auth: 'Bearer tok-abc123',
      version: '2021-07-28',
      accept: 'application/json',
      type: 'application/json',
    });
    expect(client.stats).toMatchObject({ calls: 1, retries: 0, rateLimited: 0 });
  });

  it('sends form bodies and leaves the token out of anonymous calls', async () => {
    const token: TokenProvider = { getToken: async () => 'tok-abc123', onUnauthorized: async () => false, scopes: [] };
    const client = await clientFor(
      [
        http.post('*/v1/oauth/token', async ({ request }) =>
          HttpResponse.json({ form: Object.fromEntries(new URLSearchParams(await request.text())), auth: request.headers.get('authorization'), type: request.headers.get('content-type') }),
        ),
      ],
      { token },
    );
    const res = await client.request({ method: 'POST', path: 'oauth/token', form: { grant_type: 'refresh_token', refresh_token: 'r 1' }, anonymous: true });
    expect(res.body).toEqual({ form: { grant_type: 'refresh_token', refresh_token: 'r 1' }, auth: null, type: 'application/x-www-form-urlencoded' });
  });

  it('returns undefined for an empty body and text for a non-JSON one', async () => {
    const client = await clientFor([
      http.delete('*/v1/x', () => new HttpResponse(null, { status: 204 })),
      http.get('*/v1/text', () => HttpResponse.text('plain words')),
    ]);
    expect((await client.request({ method: 'DELETE', path: '/x' })).body).toBeUndefined();
    expect((await client.request({ method: 'GET', path: '/text' })).body).toBe('plain words');
  });

  it('treats allowStatus answers as results', async () => {
    const client = await clientFor([http.get('*/v1/contacts/9', () => HttpResponse.json({ message: 'Not Found' }, { status: 404 }))]);
    const res = await client.request({ method: 'GET', path: '/contacts/9', allowStatus: [404] });
    expect(res).toMatchObject({ status: 404, body: { message: 'Not Found' } });
  });

  it('caps the body size', async () => {
    const client = await clientFor([http.get('*/v1/big', () => HttpResponse.json({ data: 'x'.repeat(5000) }))], { maxBodyBytes: 1000 });
    const error = await failure(client.request({ method: 'GET', path: '/big' }));
    expect(error.code).toBe('HTTP_BODY_TOO_LARGE');
  });
});

describe('createHttpClient: retries', () => {
  it('retries 5xx on GET with backoff and stops after the attempts budget', async () => {
    let calls = 0;
    const client = await clientFor([http.get('*/v1/flaky', () => (calls++, HttpResponse.json({ message: 'down' }, { status: 503 })))]);
    const error = await failure(client.request({ method: 'GET', path: '/flaky' }));
    expect(error.code).toBe('HTTP_SERVER');
    expect(error.attempts).toBe(5);
    expect(calls).toBe(5);
    expect(client.stats).toMatchObject({ calls: 5, retries: 4 });
  });

  it('recovers when a retry succeeds', async () => {
    let calls = 0;
    const client = await clientFor([
      http.get('*/v1/flaky', () => (++calls < 3 ? HttpResponse.json({}, { status: 502 }) : HttpResponse.json({ ok: true }))),
    ]);
    expect((await client.request({ method: 'GET', path: '/flaky' })).body).toEqual({ ok: true });
    expect(calls).toBe(3);
  });

  it('does not retry a POST unless it is marked retrySafe', async () => {
    let calls = 0;
    const client = await clientFor([http.post('*/v1/write', () => (calls++, HttpResponse.json({}, { status: 500 })))], { retry: { attempts: 3, baseMs: 1 } });
    expect((await failure(client.request({ method: 'POST', path: '/write', body: {} }))).code).toBe('HTTP_SERVER');
    expect(calls).toBe(1);
    await failure(client.request({ method: 'POST', path: '/write', body: {}, retrySafe: true }));
    expect(calls).toBe(4);
  });

  it('honours Retry-After on a 5xx', async () => {
    let calls = 0;
    const client = await clientFor([
      http.get('*/v1/later', () => (++calls === 1 ? HttpResponse.json({}, { status: 503, headers: { 'retry-after': '0.3' } }) : HttpResponse.json({ ok: 1 }))),
    ]);
    const started = performance.now();
    await client.request({ method: 'GET', path: '/later' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
  });

  it('retries a reset connection on GET', async () => {
    let calls = 0;
    const client = await clientFor([http.get('*/v1/reset', () => (++calls <= 2 ? socketFaultResponse('reset') : HttpResponse.json({ ok: true })))]);
    expect((await client.request({ method: 'GET', path: '/reset' })).body).toEqual({ ok: true });
    expect(client.stats.retries).toBe(2);
  });

  it('gives up on a reset POST with HTTP_NETWORK', async () => {
    const client = await clientFor([http.post('*/v1/reset', () => socketFaultResponse('reset'))]);
    const error = await failure(client.request({ method: 'POST', path: '/reset', body: {} }));
    expect(error.code).toBe('HTTP_NETWORK');
    expect(error.hint).toMatch(/check the connection's base URL/);
  });

  it('fails with HTTP_TIMEOUT when the server never answers', async () => {
    const client = await clientFor([http.get('*/v1/hang', () => socketFaultResponse('timeout'))], {
      timeouts: { headersMs: 300 },
      retry: { attempts: 1 },
    });
    const error = await failure(client.request({ method: 'GET', path: '/hang' }));
    expect(error.code).toBe('HTTP_TIMEOUT');
    expect(error.message).toMatch(/no answer within 300 ms/);
  });

  it('retries malformed JSON on GET, and reports it on POST', async () => {
    let calls = 0;
    const broken = () => new HttpResponse('{"contacts":[{"id":', { headers: { 'content-type': 'application/json', 'x-trace-id': 't-9' } });
    const client = await clientFor([
      http.get('*/v1/page', () => (++calls === 1 ? broken() : HttpResponse.json({ contacts: [] }))),
      http.post('*/v1/page', broken),
    ]);
    expect((await client.request({ method: 'GET', path: '/page' })).body).toEqual({ contacts: [] });
    const error = await failure(client.request({ method: 'POST', path: '/page', body: {} }));
    expect(error.code).toBe('HTTP_MALFORMED_RESPONSE');
    expect(error.traceId).toBe('t-9');
  });

  it('stops waiting when the caller aborts', async () => {
    const client = await clientFor([http.get('*/v1/flaky', () => HttpResponse.json({}, { status: 503 }))], { retry: { baseMs: 10_000, maxMs: 10_000 } });
    const controller = new AbortController();
    const pending = client.request({ method: 'GET', path: '/flaky', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('createHttpClient: 429 and the limiter', () => {
  it('pauses every call of the account on a 429, then retries (even a POST)', async () => {
    const arrivals: number[] = [];
    let limited = false;
    const client = await clientFor(
      [
        http.post('*/v1/items', () => {
          arrivals.push(performance.now());
          if (!limited) {
            limited = true;
            return HttpResponse.json({ message: 'Too Many Attempts.' }, { status: 429 });
          }
          return HttpResponse.json({ ok: true }, { status: 201 });
        }),
      ],
      { limits: { windows: [{ max: 1000, perMs: 60_000 }], penaltyMs: 60_000, maxConcurrent: 1 }, timeScale: 200 },
    );
    const results = await Promise.all(Array.from({ length: 4 }, () => client.request({ method: 'POST', path: '/items', body: {} })));
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    // penaltyMs 60 s at timeScale 200 = 300 ms: nothing reached the server in between.
    const [first = 0, ...rest] = arrivals;
    expect(Math.min(...rest) - first).toBeGreaterThanOrEqual(295);
    expect(client.stats).toMatchObject({ calls: 5, rateLimited: 1, retries: 1 });
  });

  it('waits the Retry-After of a 429', async () => {
    let calls = 0;
    const client = await clientFor([
      http.get('*/v1/x', () => (++calls === 1 ? HttpResponse.json({}, { status: 429, headers: { 'retry-after': '0.25' } }) : HttpResponse.json({}))),
    ]);
    const started = performance.now();
    await client.request({ method: 'GET', path: '/x' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(245);
  });

  it('stops with a systemic error when the daily quota is spent', async () => {
    const client = await clientFor([http.get('*/v1/x', () => HttpResponse.json({ message: 'quota' }, { status: 429, headers: { 'x-daily-left': '0' } }))], {
      limits: { windows: [{ max: 100, perMs: 10_000 }, { max: 1000, perMs: 86_400_000 }], readHeaders: (h) => ({ dailyRemaining: Number(h['x-daily-left']) }) },
    });
    const error = await failure(client.request({ method: 'GET', path: '/x' }));
    expect(error).toMatchObject({ code: 'HTTP_RATE_LIMITED', systemic: true });
    expect(error.hint).toMatch(/daily API quota/);
    expect(client.stats.calls).toBe(1);
  });

  it('throttles ahead of time so a server window never overflows', async () => {
    let inWindow = 0;
    let rejected = 0;
    const client = await clientFor(
      [
        http.get('*/v1/x', () => {
          inWindow += 1;
          setTimeout(() => (inWindow -= 1), 200);
          if (inWindow > 5) rejected += 1;
          return HttpResponse.json({});
        }),
      ],
      { limits: { windows: [{ max: 5, perMs: 200 }] } },
    );
    await Promise.all(Array.from({ length: 15 }, () => client.request({ method: 'GET', path: '/x' })));
    expect(rejected).toBe(0);
    expect(client.stats.rateLimited).toBe(0);
  });
});

describe('createHttpClient: tokens', () => {
  it('refreshes once on a 401 and sends the call again with the new token', async () => {
    let current = 'old-token-1';
    let refreshes = 0;
    const token: TokenProvider = {
      getToken: async () => current,
      onUnauthorized: async (failed) => {
        refreshes += 1;
        expect(failed).toBe('old-token-1');
        current = 'new-token-2';
        return true;
      },
      scopes: [],
    };
    const client = await clientFor(
      [http.post('*/v1/x', ({ request }) => (request.headers.get('authorization') === 'Bearer new-token-2' ? HttpResponse.json({ ok: 1 }) : HttpResponse.json({ message: 'Invalid JWT' }, { status: 401 })))],
      { token },
    );
    expect((await client.request({ method: 'POST', path: '/x', body: {} })).body).toEqual({ ok: 1 });
    expect(refreshes).toBe(1);
  });

  it('gives up after one refresh, with a systemic HTTP_UNAUTHORIZED', async () => {
    let refreshes = 0;
    const token: TokenProvider = { getToken: async () => 'tok-xyz789', onUnauthorized: async () => (refreshes++, true), scopes: [] };
    const client = await clientFor([http.get('*/v1/x', () => HttpResponse.json({ message: 'Invalid JWT' }, { status: 401 }))], { token });
    const error = await failure(client.request({ method: 'GET', path: '/x' }));
    expect(error).toMatchObject({ code: 'HTTP_UNAUTHORIZED', systemic: true });
    expect(error.hint).toBe('token expired or revoked: run `ferry auth demo-conn`');
    expect(refreshes).toBe(1);
  });
});

describe('createHttpClient: body cap while streaming', () => {
  it('stops reading a body without a content-length once it passes the cap', async () => {
    const client = await clientFor(
      [
        http.get('*/v1/stream', () => {
          const chunk = new TextEncoder().encode('x'.repeat(600));
          const stream = new ReadableStream({
            start(controller) {
              for (let i = 0; i < 5; i += 1) controller.enqueue(chunk);
              controller.close();
            },
          });
          return new HttpResponse(stream, { headers: { 'content-type': 'text/plain' } });
        }),
      ],
      { maxBodyBytes: 1000 },
    );
    expect((await failure(client.request({ method: 'GET', path: '/stream' }))).code).toBe('HTTP_BODY_TOO_LARGE');
  });
});
