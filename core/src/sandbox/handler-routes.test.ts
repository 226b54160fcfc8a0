import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { http, HttpHandler, HttpResponse, matchRequestUrl, type RequestHandler } from 'msw';
import { handlerRoutes } from './handler-routes.js';

const ORIGIN = 'http://127.0.0.1:4010';
const ok = () => HttpResponse.json({});

/** Routes shaped like a sandbox's: literals, params, a trailing slash, wildcards, a RegExp, a catch-all. */
const handlers: RequestHandler[] = [
  http.get(`${ORIGIN}/__sandbox/state`, ok),
  http.post(`${ORIGIN}/contacts/search`, ok),
  http.get(`${ORIGIN}/contacts/`, ok),
  http.get(`${ORIGIN}/contacts`, ok),
  http.get(`${ORIGIN}/contacts/:contactId`, ok),
  http.put(`${ORIGIN}/contacts/:contactId`, ok),
  http.get(`${ORIGIN}/contacts/:contactId/tasks`, ok),
  http.get(`${ORIGIN}/contacts/:contactId/tasks/:taskId`, ok),
  http.delete(`${ORIGIN}/contacts/:contactId/campaigns/removeAll`, ok),
  http.get('/relative/:id', ok),
  http.get('*/ping', ok),
  http.get(/\/regex\/\d+$/, ok),
  http.all(`${ORIGIN}/*`, ok),
];
const routes = handlerRoutes(handlers);

function mswMatches(handler: RequestHandler, method: string, url: URL): boolean {
  if (!(handler instanceof HttpHandler)) return true;
  const { method: expected, path } = handler.info;
  const methodOk = expected instanceof RegExp ? expected.test(method) : expected.toUpperCase() === method.toUpperCase();
  if (typeof path === 'function' || !methodOk) return methodOk;
  try {
    return matchRequestUrl(url, path, ORIGIN).matches;
  } catch {
    // A path that matches but whose params do not decode (`%0`) makes msw throw: it reached this handler.
    return true;
  }
}

describe('handlerRoutes', () => {
  it('leaves the handlers of the same method and shape, in order', () => {
    const names = (method: string, path: string) => routes.candidates(method, path).map((h) => h.info.header);
    expect(names('GET', '/contacts/abc123/tasks')).toEqual([
      `GET ${ORIGIN}/contacts/:contactId/tasks`,
      'GET */ping',
      'GET /\\/regex\\/\\d+$/',
      `/.+/ ${ORIGIN}/*`,
    ]);
    expect(names('POST', '/contacts/search')).toEqual([`POST ${ORIGIN}/contacts/search`, `/.+/ ${ORIGIN}/*`]);
    // One path shape, either trailing slash: both registrations stay candidates, msw picks.
    expect(names('GET', '/contacts/')).toEqual(expect.arrayContaining([`GET ${ORIGIN}/contacts/`, `GET ${ORIGIN}/contacts`]));
    expect(names('delete', '/CONTACTS/x/Campaigns/REMOVEALL')).toContain(`DELETE ${ORIGIN}/contacts/:contactId/campaigns/removeAll`);
  });

  it('never rules out a handler msw would match (property)', () => {
    const segment = fc.oneof(
      fc.constantFrom('contacts', 'Contacts', 'tasks', 'search', 'campaigns', 'removeAll', 'relative', 'regex', 'ping', '__sandbox', 'state', '', '42'),
      fc.stringMatching(/^[A-Za-z0-9._~%-]{1,12}$/),
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'get'),
      segments: fc.array(segment, { minLength: 0, maxLength: 5 }),
      trailing: fc.boolean(),
    });
    fc.assert(
      fc.property(request, ({ method, segments, trailing }) => {
        const url = new URL(`${ORIGIN}/${segments.join('/')}${trailing ? '/' : ''}`);
        const candidates = new Set(routes.candidates(method, url.pathname));
        for (const handler of handlers) {
          if (mswMatches(handler, method, url)) expect(candidates.has(handler)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps every handler it cannot read (not an HttpHandler, a predicate path)', () => {
    const predicate = http.get(({ request }) => request.url.endsWith('/magic'), ok);
    const index = handlerRoutes([predicate]);
    expect(index.candidates('GET', '/anything/at/all')).toEqual([predicate]);
    expect(index.candidates('POST', '/anything')).toEqual([]);
  });
});
