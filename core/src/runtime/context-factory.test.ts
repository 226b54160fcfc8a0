import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { pino } from 'pino';
import { randomBytes } from 'node:crypto';
import { defineConnector, type ConnectorDef } from '../contract/connector.js';
import type { ConnectionSpec, ProjectSpec } from '../contract/pipeline.js';
import { serveHandlers, type LoopbackServer } from '../sandbox/serve-handlers.js';
import { createTokenVault, type KeyValueStore, type TokenVault } from '../auth/token-vault.js';
import { forgetLimiters } from '../http/limiter-registry.js';
import { closeAllPools } from '../http/pool-registry.js';
import { createContextFactory, type ContextFactory } from './context-factory.js';
import { hardStopSignal } from './hard-stop.js';

const log = pino({ level: 'silent' });
let api: LoopbackServer;
let refreshes = 0;
const seenAuth: string[] = [];

beforeAll(async () => {
  api = await serveHandlers([
    http.get('*/v1/whoami', ({ request }) => {
      seenAuth.push(request.headers.get('authorization') ?? '');
      return HttpResponse.json({ ok: true, version: request.headers.get('version') });
    }),
    http.get('*/v1/medium', async () => {
      await new Promise((r) => setTimeout(r, 300));
      return HttpResponse.json({ done: true });
    }),
    http.get('*/v1/slow', async () => {
      await new Promise((r) => setTimeout(r, 2000));
      return HttpResponse.json({});
    }),
    http.post('*/oauth/token', () => {
      refreshes += 1;
      return HttpResponse.json({ access_token: 'at-new', refresh_token: 'rt-new', expires_in: 3600 });
    }),
  ]);
});
afterAll(async () => {
  await api.close();
  await forgetLimiters();
  await closeAllPools();
});

/** An HTTP connector whose default API is somewhere this test must never reach. */
const crm: ConnectorDef = defineConnector({
  name: 'crm',
  version: '1.0.0',
  description: 'test CRM',
  configSchema: {},
  auth: [
    { kind: 'bearer', label: 'API key' },
    { kind: 'oauth2', authorizeUrl: 'https://crm.invalid/authorize', tokenUrl: 'https://api.crm.invalid/oauth/token', scopeSeparator: ' ' },
  ],
  limits: { windows: [{ max: 2, perMs: 60_000 }] },
  http: {
    baseUrl: (config) => (typeof config['baseUrl'] === 'string' ? config['baseUrl'] : 'https://api.crm.invalid/v1'),
    headers: { Version: '7' },
  },
  streams: [],
  actions: [],
  triggers: [],
});
const files: ConnectorDef = defineConnector({ name: 'files', version: '1.0.0', description: 'no HTTP', configSchema: {}, auth: [{ kind: 'none' }], streams: [], actions: [], triggers: [] });
const registry = new Map([
  ['crm', crm],
  ['files', files],
]);

function memoryStore(): KeyValueStore {
  const rows = new Map<string, string>();
  return { getValue: (ns, key) => rows.get(`${ns}/${key}`), setValue: (ns, key, value) => void rows.set(`${ns}/${key}`, value) };
}

function project(connections: ConnectionSpec[]): ProjectSpec {
  return {
    file: '/project/ferry.yaml',
    baseDir: '/project',
    store: './ferry.db',
    connections: Object.fromEntries(connections.map((c) => [c.name, c])),
    pipelineFiles: [],
    serve: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  };
}

const opened: ContextFactory[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((f) => f.close()));
});

function factory(connections: ConnectionSpec[], extra: { vault?: TokenVault; env?: Record<string, string>; signal?: AbortSignal; timeScale?: number } = {}) {
  const made = createContextFactory({
    project: project(connections),
    registry,
    store: memoryStore(),
    vault: extra.vault ?? createTokenVault({ store: memoryStore(), key: randomBytes(32) }),
    log,
    signal: extra.signal ?? new AbortController().signal,
    env: extra.env ?? {},
    retry: { attempts: 1 },
    ...(extra.timeScale === undefined ? {} : { timeScale: extra.timeScale }),
  });
  opened.push(made);
  return made;
}

const base = () => ({ baseUrl: `${api.url}/v1` });

describe('createContextFactory', () => {
  it('builds one context per connection with the profile, the bearer token and per-connection stats', async () => {
    const contexts = factory([{ name: 'main', connector: 'crm', config: { ...base(), locationId: 'loc-7' }, auth: { kind: 'bearer', token: 'key-main-123' } }]);
    const ctx = contexts.context('main');
    expect(contexts.context('main')).toBe(ctx);
    expect(ctx).toMatchObject({ connection: 'main', account: 'loc-7', baseDir: '/project' });
    const res = await ctx.http.request({ method: 'GET', path: '/whoami' });
    expect(res.body).toEqual({ ok: true, version: '7' });
    expect(seenAuth.at(-1)).toBe('Bearer key-main-123');
    expect(contexts.stats()).toEqual({ main: { calls: 1, retries: 0, rateLimited: 0, utilization: expect.any(Number) } });
  });

  it('takes a bearer token from <CONNECTION>_TOKEN when ferry.yaml names none', async () => {
    const contexts = factory([{ name: 'crm-eu', connector: 'crm', config: base(), auth: { kind: 'bearer' } }], { env: { CRM_EU_TOKEN: 'from-env-456' } });
    await contexts.context('crm-eu').http.request({ method: 'GET', path: '/whoami' });
    expect(seenAuth.at(-1)).toBe('Bearer from-env-456');
    expect(contexts.context('crm-eu').account).toBe('crm-eu');
  });

  it('fails the first call with a systemic AUTH_MISSING when there is no token anywhere', async () => {
    const contexts = factory([{ name: 'bare', connector: 'crm', config: base(), auth: { kind: 'bearer' } }]);
    await expect(contexts.context('bare').http.request({ method: 'GET', path: '/whoami' })).rejects.toMatchObject({
      code: 'AUTH_MISSING',
      hint: expect.stringContaining('BARE_TOKEN'),
      details: { systemic: true },
    });
  });

  it('gives connectors without an HTTP profile a client that fails with NO_HTTP', async () => {
    const contexts = factory([{ name: 'disk', connector: 'files', config: {}, auth: { kind: 'none' } }]);
    await expect(contexts.context('disk').http.request({ method: 'GET', path: '/' })).rejects.toMatchObject({ code: 'NO_HTTP' });
    expect(contexts.stats()).toEqual({});
  });

  it('names an unknown connection and suggests the close one', () => {
    const contexts = factory([{ name: 'main', connector: 'crm', config: base(), auth: { kind: 'bearer', token: 't' } }]);
    expect(() => contexts.context('mainn')).toThrow(expect.objectContaining({ code: 'CONNECTION_UNKNOWN', message: expect.stringContaining("did you mean 'main'?") }));
  });

  it('uses oauth2 tokens from the vault, takes the account from them, and refreshes against the sandbox, not the real API', async () => {
    const vault = createTokenVault({ store: memoryStore(), key: randomBytes(32) });
    vault.put('oauthed', {
      kind: 'oauth2',
      accessToken: 'at-old',
      refreshToken: 'rt-old',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
      scopes: ['contacts.readonly'],
      account: 'loc-from-token',
      tokenType: 'Bearer',
      obtainedAt: new Date().toISOString(),
    });
    const contexts = factory([{ name: 'oauthed', connector: 'crm', config: base(), auth: { kind: 'oauth2', clientId: 'c', clientSecret: 's' } }], { vault });
    const ctx = contexts.context('oauthed');
    expect(ctx.account).toBe('loc-from-token');
    await ctx.http.request({ method: 'GET', path: '/whoami' });
    expect(refreshes).toBe(1);
    expect(seenAuth.at(-1)).toBe('Bearer at-new');
    expect(vault.get('oauthed')?.refreshToken).toBe('rt-new');
  });

  it('shares the rate budget of connections acting for the same account', async () => {
    const contexts = factory(
      [
        { name: 'a', connector: 'crm', config: { ...base(), locationId: 'shared-loc' }, auth: { kind: 'bearer', token: 'ta' } },
        { name: 'b', connector: 'crm', config: { ...base(), locationId: 'shared-loc' }, auth: { kind: 'bearer', token: 'tb' } },
      ],
      { timeScale: 100 }, // 2 per 600 ms
    );
    await contexts.context('a').http.request({ method: 'GET', path: '/whoami' });
    await contexts.context('a').http.request({ method: 'GET', path: '/whoami' });
    const started = performance.now();
    await contexts.context('b').http.request({ method: 'GET', path: '/whoami' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('aborts calls on its hard stop', async () => {
    const controller = new AbortController();
    const contexts = factory([{ name: 'main', connector: 'crm', config: base(), auth: { kind: 'bearer', token: 't' } }], { signal: controller.signal });
    expect(contexts.context('main').signal).toBe(controller.signal);
    const pending = contexts.context('main').http.request({ method: 'GET', path: '/slow' });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('lets calls in flight finish on a graceful stop, and aborts them once the drain time is over', async () => {
    const graceful = new AbortController();
    const patient = hardStopSignal(graceful.signal, { drainMs: 5_000 });
    const contexts = factory([{ name: 'main', connector: 'crm', config: base(), auth: { kind: 'bearer', token: 't' } }], { signal: patient.signal });
    const finishing = contexts.context('main').http.request({ method: 'GET', path: '/medium' });
    setTimeout(() => graceful.abort(new Error('Ctrl-C')), 20);
    await expect(finishing).resolves.toMatchObject({ body: { done: true } });
    patient.dispose();

    const stop = new AbortController();
    const hasty = hardStopSignal(stop.signal, { drainMs: 100 });
    const cut = factory([{ name: 'main', connector: 'crm', config: base(), auth: { kind: 'bearer', token: 't' } }], { signal: hasty.signal });
    const stuck = cut.context('main').http.request({ method: 'GET', path: '/slow' });
    setTimeout(() => stop.abort(new Error('Ctrl-C')), 20);
    await expect(stuck).rejects.toMatchObject({ name: 'AbortError' });
    hasty.dispose();
  });
});
