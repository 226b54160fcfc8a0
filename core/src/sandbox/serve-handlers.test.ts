import { afterEach, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { request } from 'undici';
import { serveHandlers, type LoopbackServer } from './serve-handlers.js';
import { SANDBOX_FAULT_HEADER, socketFaultResponse } from './fault.js';

let server: LoopbackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('serveHandlers', () => {
  it('answers over a real socket with the handler response, request body and query intact', async () => {
    server = await serveHandlers([
      http.post('/echo/:id', async ({ request: req, params }) => {
        const url = new URL(req.url);
        return HttpResponse.json(
          { id: params['id'], tags: url.searchParams.getAll('tag'), body: await req.json(), version: req.headers.get('version') },
          { status: 201, headers: { 'x-trace-id': 'trace-1' } },
        );
      }),
    ]);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await request(`${server.url}/echo/42?tag=a&tag=b`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', version: '2021-07-28' },
      body: JSON.stringify({ name: 'Ada' }),
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-trace-id']).toBe('trace-1');
    expect(await res.body.json()).toEqual({ id: '42', tags: ['a', 'b'], body: { name: 'Ada' }, version: '2021-07-28' });
  });

  it('matches handlers declared against the absolute origin it announces', async () => {
    let origin = '';
    server = await serveHandlers([http.get('*/ping', ({ request: req }) => HttpResponse.text(new URL(req.url).origin))]);
    origin = server.url;
    const res = await request(`${origin}/ping`);
    expect(await res.body.text()).toBe(origin);
  });

  it('answers 404 JSON naming the route when no handler matches', async () => {
    server = await serveHandlers([http.get('/known', () => HttpResponse.json({}))]);
    const res = await request(`${server.url}/unknown?x=1`);
    expect(res.statusCode).toBe(404);
    expect(await res.body.json()).toEqual({ statusCode: 404, message: 'no sandbox route for GET /unknown' });
  });

  it('turns a throwing handler into a 500 and reports it', async () => {
    const seen: unknown[] = [];
    server = await serveHandlers([http.get('/boom', () => { throw new Error('kaput'); })], { onError: (e) => seen.push(e) });
    const res = await request(`${server.url}/boom`);
    expect(res.statusCode).toBe(500);
    expect(await res.body.json()).toMatchObject({ message: 'sandbox handler failed: kaput' });
    expect(seen).toHaveLength(1);
  });

  it('resets the connection when a handler asks for a reset fault', async () => {
    server = await serveHandlers([http.get('/reset', () => socketFaultResponse('reset'))]);
    const error: unknown = await request(`${server.url}/reset`).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
  });

  it('never answers on a timeout fault, so the client timeout fires, and still closes promptly', async () => {
    server = await serveHandlers([http.get('/hang', () => socketFaultResponse('timeout'))]);
    const started = Date.now();
    const error: unknown = await request(`${server.url}/hang`, { headersTimeout: 200 }).then(() => undefined, (e: unknown) => e);
    expect((error as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    const pending = request(`${server.url}/hang`).catch(() => undefined);
    const closing = Date.now();
    await server.close();
    server = undefined;
    await pending;
    expect(Date.now() - closing).toBeLessThan(1000);
  });

  it('does not leak the fault header on normal answers', async () => {
    server = await serveHandlers([http.get('/ok', () => HttpResponse.json({ ok: true }))]);
    const res = await request(`${server.url}/ok`);
    expect(res.headers[SANDBOX_FAULT_HEADER]).toBeUndefined();
    expect(await res.body.json()).toEqual({ ok: true });
  });
});
