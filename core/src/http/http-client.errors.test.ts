import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { pino } from 'pino';
import { serveHandlers, type LoopbackServer } from '../sandbox/serve-handlers.js';
import type { HttpProfile } from '../contract/http.js';
import { createHttpClient } from './http-client.js';
import { closeAllPools } from './pool-registry.js';
import { forgetLimiters } from './limiter-registry.js';
import { isSystemicError, type HttpError } from './http-error.js';

const TOKEN = 'pit-4b1e-secret-token-0042';
let server: LoopbackServer;

/** Answers GHL-shaped errors: each path picks one. */
beforeAll(async () => {
  server = await serveHandlers([
    http.all('*/fail/:status', async ({ params, request }) => {
      const status = Number(params['status']);
      const kind = new URL(request.url).searchParams.get('kind');
      const bodies: Record<string, unknown> = {
        location: { statusCode: 403, message: 'The token does not have access to this location.', traceId: 'tr-loc' },
        scope: { statusCode: 401, message: 'The token is not authorized for this scope.' },
        scopeNamed: { statusCode: 403, message: 'missing scope contacts.write' },
        fields: { statusCode: 422, message: ['email must be an email', 'phone must be a valid phone number'], error: 'Unprocessable Entity' },
        laravel: { message: 'The given data was invalid.', errors: { number: ['The number field is required.'] } },
        echo: { message: `bad token ${request.headers.get('authorization') ?? ''}`, access_token: TOKEN },
        html: '<html><body>Bad Gateway</body></html>',
        salesmsgAuth: { message: 'Unauthenticated.', auth_required: true },
      };
      const body = bodies[kind ?? ''] ?? { statusCode: status, message: `status ${status}` };
      return typeof body === 'string'
        ? new HttpResponse(body, { status, headers: { 'content-type': 'text/html', 'x-trace-id': 'tr-html' } })
        : HttpResponse.json(body, { status });
    }),
  ]);
});
afterAll(async () => {
  await server.close();
  await forgetLimiters();
  await closeAllPools();
});

function client(profile: Partial<HttpProfile> = {}) {
  return createHttpClient({
    connector: 'ghl',
    account: 'loc-123',
    connection: 'crm',
    baseUrl: server.url,
    profile: { baseUrl: () => server.url, ...profile },
    token: { getToken: async () => TOKEN, onUnauthorized: async () => false, scopes: [] },
    log: pino({ level: 'silent' }),
    retry: { attempts: 2, baseMs: 1, maxMs: 2 },
  });
}

async function errorOf(path: string, options: { method?: 'GET' | 'POST'; scope?: string; profile?: Partial<HttpProfile> } = {}): Promise<HttpError> {
  try {
    await client(options.profile).request({ method: options.method ?? 'GET', path, ...(options.scope === undefined ? {} : { scope: options.scope }) });
  } catch (error) {
    return error as HttpError;
  }
  throw new Error(`expected ${path} to fail`);
}

describe('HttpError codes and hints', () => {
  it('401: expired or revoked token, systemic', async () => {
    const error = await errorOf('/fail/401');
    expect(error).toMatchObject({ code: 'HTTP_UNAUTHORIZED', status: 401, systemic: true, method: 'GET', path: '/fail/401' });
    expect(error.hint).toBe('token expired or revoked: run `ferry auth crm`');
    expect(isSystemicError(error)).toBe(true);
  });

  it('403 "does not have access to this location": token of another location, with its trace id', async () => {
    const error = await errorOf('/fail/403?kind=location');
    expect(error).toMatchObject({ code: 'HTTP_FORBIDDEN_LOCATION', systemic: true, traceId: 'tr-loc' });
    expect(error.message).toBe('ghl GET /fail/403?kind=location → 403: The token does not have access to this location. (trace tr-loc)');
    expect(error.hint).toMatch(/another location than 'loc-123': run `ferry auth crm`/);
  });

  it('401/403 about scopes: names the scope the call needs', async () => {
    const fromRequest = await errorOf('/fail/401?kind=scope', { scope: 'contacts.readonly' });
    expect(fromRequest).toMatchObject({ code: 'HTTP_MISSING_SCOPE', systemic: true });
    expect(fromRequest.hint).toBe('the pipeline needs contacts.readonly: run `ferry auth crm` again to grant it');
    const fromMessage = await errorOf('/fail/403?kind=scopeNamed');
    expect(fromMessage.hint).toBe('the pipeline needs contacts.write: run `ferry auth crm` again to grant it');
  });

  it('403 otherwise: forbidden, not systemic', async () => {
    const error = await errorOf('/fail/403');
    expect(error).toMatchObject({ code: 'HTTP_FORBIDDEN', systemic: false });
  });

  it('404: not found', async () => {
    expect((await errorOf('/fail/404')).code).toBe('HTTP_NOT_FOUND');
  });

  it('422: the field messages, joined, in the message and the hint', async () => {
    const error = await errorOf('/fail/422?kind=fields', { method: 'POST' });
    expect(error.code).toBe('HTTP_VALIDATION');
    expect(error.apiMessage).toBe('email must be an email; phone must be a valid phone number');
    expect(error.hint).toBe('the API rejected the data: email must be an email; phone must be a valid phone number');
    const laravel = await errorOf('/fail/422?kind=laravel', { method: 'POST' });
    expect(laravel.apiMessage).toBe('The given data was invalid.; number: The number field is required.');
  });

  it('5xx after retries: server error with the attempts made; an HTML page is not shown as the message', async () => {
    const error = await errorOf('/fail/502?kind=html');
    expect(error).toMatchObject({ code: 'HTTP_SERVER', attempts: 2, traceId: 'tr-html', apiMessage: undefined });
    expect(error.hint).toMatch(/after 2 attempt\(s\).*trace id tr-html/);
  });

  it('other 4xx: client error', async () => {
    expect((await errorOf('/fail/409', { method: 'POST' })).code).toBe('HTTP_CLIENT');
  });

  it('auth failures the profile recognises (Salesmsg 500 auth_required) are unauthorized', async () => {
    const profile: Partial<HttpProfile> = {
      isAuthFailure: (_status, body) => typeof body === 'object' && body !== null && (body as { auth_required?: unknown }).auth_required === true,
    };
    const error = await errorOf('/fail/500?kind=salesmsgAuth', { profile });
    expect(error).toMatchObject({ code: 'HTTP_UNAUTHORIZED', systemic: true, attempts: 1 });
  });

  it('uses the profile to read the message and trace id', async () => {
    const error = await errorOf('/fail/400', {
      profile: { errorMessage: (status) => `custom ${status}`, traceId: () => 'from-profile' },
    });
    expect(error).toMatchObject({ code: 'HTTP_VALIDATION', apiMessage: 'custom 400', traceId: 'from-profile' });
  });
});

describe('HttpError redaction', () => {
  it('never carries the token, and hides secret query parameters', async () => {
    const error = await errorOf('/fail/400?kind=echo&access_token=leak-me-123&code=auth-code-9');
    const everything = JSON.stringify({ message: error.message, hint: error.hint, json: error.toJSON(), stack: error.stack });
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain('leak-me-123');
    expect(everything).not.toContain('auth-code-9');
    expect(error.path).toBe('/fail/400?kind=echo&access_token=***&code=***');
    expect(error.apiMessage).toBe('bad token Bearer ***');
    expect(String(error.toJSON()['body'])).toContain('"access_token":"***"');
  });
});
