import { afterEach, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { serveHandlers, type JsonRecord, type LoopbackServer } from '@ferry/core';
import { SANDBOX_OAUTH_CLIENT, SANDBOX_TOKENS, createSalesmsgSandbox, serveSalesmsgSandbox, type ServedSalesmsgSandbox } from './index.js';

let served: ServedSalesmsgSandbox | undefined;
let receiver: LoopbackServer | undefined;
afterEach(async () => {
  await served?.close();
  await receiver?.close();
  served = receiver = undefined;
});

async function serve(options: Parameters<typeof serveSalesmsgSandbox>[0] = {}): Promise<ServedSalesmsgSandbox> {
  served = await serveSalesmsgSandbox({ timeScale: 0, seed: 3, size: 30, ...options });
  return served;
}

/** A raw call (no ferry client): what any HTTP client would see. */
async function call(path: string, init: { method?: string; token?: string | null; body?: unknown; form?: Record<string, string> } = {}): Promise<{ status: number; body: unknown }> {
  if (served === undefined) throw new Error('no sandbox');
  const headers: Record<string, string> = {};
  if (init.token !== null) headers['authorization'] = `Bearer ${init.token ?? SANDBOX_TOKENS.full}`;
  let body: string | undefined;
  if (init.form !== undefined) {
    body = new URLSearchParams(init.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const method = init.method ?? (body === undefined ? 'GET' : 'POST');
  const response = await fetch(`${served.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }), redirect: 'manual' });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** A webhook receiver that keeps what it is sent. */
async function listen(): Promise<{ url: string; deliveries: { event: string; data: JsonRecord }[] }> {
  const deliveries: { event: string; data: JsonRecord }[] = [];
  receiver = await serveHandlers([
    http.post('*', async ({ request }) => {
      deliveries.push((await request.json()) as { event: string; data: JsonRecord });
      return HttpResponse.json({ ok: true });
    }),
  ]);
  return { url: `${receiver.url}/hook`, deliveries };
}

interface Contact {
  id: number;
  number: string;
  formatted_number: string;
  opt_out: boolean;
  tags: { id: number; label: string }[];
  updated_at: string;
}

describe('salesmsg sandbox: data', () => {
  it('seeds the same account from the same seed: E.164 numbers, lead/customer tags, opted-out contacts, spread updates', () => {
    const a = createSalesmsgSandbox({ baseUrl: 'http://127.0.0.1:1', seed: 9, size: 200 }).snapshot();
    const b = createSalesmsgSandbox({ baseUrl: 'http://127.0.0.1:1', seed: 9, size: 200 }).snapshot();
    expect(a['contacts']).toEqual(b['contacts']);
    const contacts = a['contacts'] as Contact[];
    expect(contacts).toHaveLength(200);
    expect(contacts.every((c) => /^\+1\d{10}$/.test(c.number) && /^\(\d{3}\) \d{3}-\d{4}$/.test(c.formatted_number))).toBe(true);
    const labelled = (label: string): number => contacts.filter((c) => c.tags.some((t) => t.label === label)).length;
    expect(labelled('lead')).toBeGreaterThan(40);
    expect(labelled('customer')).toBeGreaterThan(20);
    expect(contacts.filter((c) => c.opt_out).length).toBeGreaterThan(3);
    const years = new Set(contacts.map((c) => c.updated_at.slice(0, 4)));
    expect(years.size).toBeGreaterThanOrEqual(2);
    expect(contacts[0]?.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000000Z$/);
  });

  it('answers lists with a Laravel paginator, reads page 0 as 1 and clamps the page size', async () => {
    await serve({ extra: { maxPageSize: 10 } });
    const page = await call('/pub/v2.3/contacts/list', { method: 'POST', body: { page: 0, length: 50, sortBy: 'updated_at', sortOrder: 'asc' } });
    expect(page.status).toBe(200);
    expect((page.body as { meta: unknown }).meta).toEqual({ current_page: 1, from: 1, last_page: 3, path: '/pub/v2.3/contacts/list', per_page: 10, to: 10, total: 30 });
    const last = await call('/pub/v2.2/contacts?page=3&limit=10');
    expect((last.body as { meta: JsonRecord }).meta).toMatchObject({ current_page: 3, from: 21, to: 30 });
    const beyond = await call('/pub/v2.3/contacts/list', { method: 'POST', body: { page: 9, length: 10 } });
    expect(beyond.body).toMatchObject({ data: [], meta: { from: null, to: null, total: 30 } });
    expect((await call('/pub/v9.9/contacts/1')).status).toBe(404);
    expect((await call('/pub/v2.3/contacts/list', { method: 'POST', body: { sortBy: 'color' } })).status).toBe(422);
  });
});

describe('salesmsg sandbox: auth', () => {
  it('refuses bad tokens in the three shapes of the live API', async () => {
    const { sandbox } = await serve();
    expect(await call('/pub/v2.3/contacts/10001', { token: null })).toEqual({ status: 401, body: { message: 'Unauthenticated.' } });
    expect(await call('/pub/v2.3/contacts/10001', { token: 'nope' })).toEqual({ status: 401, body: { message: 'Unauthenticated.' } });
    sandbox.revokeToken(SANDBOX_TOKENS.legacy);
    expect(await call('/pub/v2.3/contacts/10001', { token: SANDBOX_TOKENS.legacy })).toEqual({
      status: 403,
      body: { message: 'Your access token has been revoked.', status: 403, auth_required: true },
    });
    const code = sandbox.issueAuthorizationCode();
    const grant = await call('/pub/v2.2/oauth/token', { form: { grant_type: 'authorization_code', code, ...credentials() }, token: null });
    const access = (grant.body as { access_token: string }).access_token;
    expect((await call('/pub/v2.3/contacts/10001', { token: access })).status).toBe(200);
    sandbox.advanceClock(86_400_000);
    expect(await call('/pub/v2.3/contacts/10001', { token: access })).toEqual({ status: 500, body: { message: 'Token has expired', status: 500 } });
  });

  it('enforces scopes: POST /contacts/list needs contacts:write; the legacy public-api scope grants all', async () => {
    await serve();
    expect(await call('/pub/v2.3/contacts/list', { method: 'POST', token: SANDBOX_TOKENS.readOnly })).toEqual({ status: 403, body: { message: 'Invalid scope(s) provided.' } });
    expect((await call('/pub/v2.3/contacts', { token: SANDBOX_TOKENS.readOnly })).status).toBe(200);
    expect((await call('/pub/v2.3/contacts/list', { method: 'POST', token: SANDBOX_TOKENS.legacy })).status).toBe(200);
  });

  it('runs the OAuth code flow and rotates refresh tokens (the old one is spent)', async () => {
    await serve();
    const authorize = await fetch(`${served?.url}/auth/oauth?response_type=code&client_id=${SANDBOX_OAUTH_CLIENT.clientId}&redirect_uri=http://127.0.0.1:9/cb&scope=contacts:read%20tags:read&state=s1`, { redirect: 'manual' });
    expect(authorize.status).toBe(302);
    const redirect = new URL(authorize.headers.get('location') ?? '');
    expect(redirect.searchParams.get('state')).toBe('s1');
    const code = redirect.searchParams.get('code') ?? '';
    const first = await call('/pub/v2.2/oauth/token', {
      form: { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:9/cb', ...credentials() },
      token: null,
    });
    expect(first.body).toMatchObject({ token_type: 'Bearer', expires_in: 86_340, scope: 'contacts:read tags:read' });
    expect((await call('/pub/v2.2/oauth/token', { form: { grant_type: 'authorization_code', code, ...credentials() }, token: null })).status).toBe(400);

    const refreshToken = (first.body as { refresh_token: string }).refresh_token;
    const second = await call('/pub/v2.2/oauth/token/refresh', { body: { grant_type: 'refresh_token', refresh_token: refreshToken, ...credentials() }, token: null });
    expect(second.status).toBe(200);
    expect((second.body as { refresh_token: string }).refresh_token).not.toBe(refreshToken);
    const replay = await call('/pub/v2.2/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: refreshToken, ...credentials() }, token: null });
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const third = await call('/pub/v2.2/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: (second.body as { refresh_token: string }).refresh_token, ...credentials() }, token: null });
    expect(third.status).toBe(200);
    expect(await call('/pub/v2.2/oauth/token', { form: { grant_type: 'refresh_token', refresh_token: 'x', client_id: 'x', client_secret: 'y' }, token: null })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
  });
});

function credentials(): Record<string, string> {
  return { client_id: SANDBOX_OAUTH_CLIENT.clientId, client_secret: SANDBOX_OAUTH_CLIENT.clientSecret };
}

describe('salesmsg sandbox: limits and faults', () => {
  it('allows 60 a minute, then answers 429 "Too Many Attempts." for 60 s', async () => {
    // The sandbox's own clock: the window and the penalty are checked without waiting for them.
    let now = Date.parse('2030-01-01T00:00:00Z');
    const { sandbox } = await serve({ timeScale: 1, extra: { clock: () => now } });
    const statuses = await Promise.all(Array.from({ length: 61 }, () => call('/pub/v2.3/contacts/10001').then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(await call('/pub/v2.3/contacts/10001')).toEqual({ status: 429, body: { message: 'Too Many Attempts.' } });
    now += 59_000;
    expect((await call('/pub/v2.3/contacts/10001')).status).toBe(429);
    now += 1_000;
    expect((await call('/pub/v2.3/contacts/10001')).status).toBe(200);
    const account = sandbox.stats()['account'] as JsonRecord;
    expect(account).toMatchObject({ admitted: 61, rateLimited: 3, lockouts: 1, windowMax: 60, windowMs: 60_000, penaltyMs: 60_000, peakInWindow: 60 });
  });

  it('scales the window and the penalty with timeScale (0: unlimited)', async () => {
    await serve({ timeScale: 0 });
    const statuses = await Promise.all(Array.from({ length: 100 }, () => call('/pub/v2.3/contacts/10001').then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await served?.close();
    let now = 0;
    const { sandbox } = await serve({ timeScale: 60, extra: { clock: () => now } });
    await Promise.all(Array.from({ length: 61 }, () => call('/pub/v2.3/contacts/10001')));
    now += 999;
    expect((await call('/pub/v2.3/contacts/10001')).status).toBe(429);
    now += 2;
    expect((await call('/pub/v2.3/contacts/10001')).status).toBe(200);
    expect(sandbox.stats()['account']).toMatchObject({ windowMs: 1000, penaltyMs: 1000 });
  });

  it('injects faults at set rates, the same way every run', async () => {
    const { sandbox } = await serve({ faults: { serverError: 1 } });
    expect((await call('/pub/v2.3/contacts/10001')).status).toBeGreaterThanOrEqual(500);
    sandbox.setFaults({ rateLimited: 1 });
    expect(await call('/pub/v2.3/contacts/10001')).toEqual({ status: 429, body: { message: 'Too Many Attempts.' } });
    sandbox.setFaults({ reset: 1 });
    await expect(call('/pub/v2.3/contacts/10001')).rejects.toThrow();
    sandbox.setFaults({});
    expect((await call('/pub/v2.3/contacts/10001')).status).toBe(200);
    expect(sandbox.stats()['faults']).toMatchObject({ serverError: 1, rateLimited: 1, reset: 1 });
  });
});

describe('salesmsg sandbox: webhooks', () => {
  it('notifies subscribed URLs of changes made through the API', async () => {
    const hook = await listen();
    const { sandbox } = await serve({ extra: { webhookUrl: hook.url } });
    const created = await call('/pub/v2.3/contacts?number=%2B14155550100&first_name=Web', { method: 'POST' });
    const id = (created.body as Contact).id;
    await call(`/pub/v2.3/contacts/opt-out/${id}`, { method: 'PUT' });
    await call(`/pub/v2.3/tags/contact/${id}/1`, { method: 'PUT' });
    await sandbox.flushWebhooks();
    expect(hook.deliveries.map((d) => d.event)).toEqual(['contact.created', 'contact.opted_out', 'contact.updated', 'contact.tag_added', 'contact.updated']);
    expect(hook.deliveries[0]?.data['contact']).toMatchObject({ id, number: '+14155550100', first_name: 'Web' });
    expect(hook.deliveries[3]?.data['tag']).toMatchObject({ id: 1, label: 'lead' });
  });

  it('emits a delivery on demand (admin route and emitWebhook), messages included', async () => {
    const hook = await listen();
    const { sandbox } = await serve();
    const answer = await call('/__sandbox/webhooks', { method: 'POST', body: { url: hook.url, event: 'contact.updated', contactId: 10002 }, token: null });
    expect(answer).toEqual({ status: 200, body: { delivered: true, status: 200 } });
    const message = await call('/__sandbox/messages', { method: 'POST', body: { contactId: 10003, body: 'Hello?' }, token: null });
    expect(message.status).toBe(201);
    expect(await sandbox.emitWebhook(hook.url, { event: 'message.received', contactId: 10003 })).toBe(200);
    expect(hook.deliveries[1]).toMatchObject({ event: 'message.received', data: { message: { body: 'Hello?', direction: 'inbound', contact_id: 10003 } } });
    expect((await call('/__sandbox/webhooks', { method: 'POST', body: { url: hook.url, event: 'contact.deleted' }, token: null })).status).toBe(400);
    await expect(sandbox.emitWebhook(hook.url, { event: 'contact.created', contactId: 1 })).rejects.toMatchObject({ code: 'SALESMSG_SANDBOX_STATE' });
  });
});
