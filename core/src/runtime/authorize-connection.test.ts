import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { pino } from 'pino';
import { defineConnector, type ConnectorDef } from '../contract/connector.js';
import type { ConnectionSpec, ProjectSpec } from '../contract/pipeline.js';
import { serveHandlers, type LoopbackServer } from '../sandbox/serve-handlers.js';
import { createTokenVault, type KeyValueStore, type TokenVault } from '../auth/token-vault.js';
import { closeAllPools } from '../http/pool-registry.js';
import { forgetLimiters } from '../http/limiter-registry.js';
import { authorizeConnection } from './authorize-connection.js';
import { rotateConnectionToken } from './rotate-connection-token.js';

const log = pino({ level: 'silent' });

/** A provider: a consent page that answers at once, a token route, and a separate refresh route. */
let provider: LoopbackServer;
let forms: { path: string; form: Record<string, string> }[] = [];
let grantScope: string | undefined;
let generation = 0;

beforeAll(async () => {
  provider = await serveHandlers([
    http.get('*/auth/oauth', ({ request }) => {
      const q = new URL(request.url).searchParams;
      const target = new URL(q.get('redirect_uri') ?? 'http://127.0.0.1:9/');
      target.searchParams.set('code', `code-${q.get('scope') ?? ''}`);
      target.searchParams.set('state', q.get('state') ?? '');
      return new HttpResponse(null, { status: 302, headers: { location: target.href } });
    }),
    http.post('*/oauth/token*', async ({ request }) => {
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      forms.push({ path: new URL(request.url).pathname, form });
      generation += 1;
      return HttpResponse.json({
        access_token: `at-${generation}`,
        refresh_token: `rt-${generation}`,
        expires_in: 3600,
        ...(grantScope === undefined ? {} : { scope: grantScope }),
        account: 'acct-7',
        ...(form['grant'] === 'workspace' ? { workspace: 'ws-3' } : {}),
      });
    }),
  ]);
});
beforeEach(() => {
  forms = [];
  grantScope = undefined;
});
afterAll(async () => {
  await provider.close();
  await forgetLimiters();
  await closeAllPools();
});

const crm: ConnectorDef = defineConnector({
  name: 'crm',
  version: '1.0.0',
  description: 'test CRM',
  configSchema: {},
  auth: [
    {
      kind: 'oauth2',
      authorizeUrl: 'https://app.crm.invalid/auth/oauth',
      tokenUrl: 'https://api.crm.invalid/oauth/token',
      refreshUrl: 'https://api.crm.invalid/oauth/token/refresh',
      scopeSeparator: ' ',
      accountFrom: (body) => (typeof body['account'] === 'string' ? body['account'] : undefined),
      forPartitions: {
        label: 'workspace token',
        scopes: ['accounts.list', 'accounts.tokens'],
        extraTokenParams: { grant: 'workspace' },
        accountFrom: (body) => (typeof body['workspace'] === 'string' ? body['workspace'] : undefined),
      },
    },
  ],
  scopes: { read: ['contacts.readonly'], write: ['contacts.write'] },
  http: { baseUrl: (config) => (typeof config['baseUrl'] === 'string' ? config['baseUrl'] : 'https://api.crm.invalid') },
  streams: [],
  actions: [],
  triggers: [],
});
const registry = new Map([['crm', crm]]);

function memoryStore(): KeyValueStore {
  const rows = new Map<string, string>();
  return { getValue: (ns, key) => rows.get(`${ns}/${key}`), setValue: (ns, key, value) => void rows.set(`${ns}/${key}`, value) };
}

function project(auth: Partial<ConnectionSpec['auth']> = {}, partitions?: ConnectionSpec['partitions']): ProjectSpec {
  const spec: ConnectionSpec = {
    name: 'crm',
    connector: 'crm',
    config: { baseUrl: provider.url },
    auth: { kind: 'oauth2', clientId: 'app-1', clientSecret: 'app-secret', ...auth },
    ...(partitions === undefined ? {} : { partitions }),
  };
  return { file: '/p/ferry.yaml', baseDir: '/p', store: '/p/ferry.db', connections: { crm: spec }, pipelineFiles: [], serve: { host: '127.0.0.1', port: 0 }, log: { level: 'silent' } };
}

/** Plays the browser: opens the consent page, then follows its redirect (optionally tampered with) to the listener. */
async function browse(url: string, tamper: (redirect: URL) => void = () => undefined): Promise<number> {
  const consent = await fetch(url, { redirect: 'manual' });
  const location = new URL(consent.headers.get('location') ?? '');
  tamper(location);
  const landing = await fetch(location);
  await landing.text();
  return landing.status;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function vault(): TokenVault {
  return createTokenVault({ store: memoryStore(), key: randomBytes(32) });
}

describe('authorizeConnection', () => {
  it('runs the code flow on the sandboxed consent page with only the given scopes, and stores the tokens', async () => {
    const tokens = vault();
    let landed = 0;
    let shown: URL | undefined;
    const result = await authorizeConnection({
      project: project(),
      registry,
      connection: 'crm',
      scopes: ['contacts.readonly'],
      vault: tokens,
      log,
      onAuthorizeUrl(url) {
        shown = new URL(url);
        void browse(url).then((status) => (landed = status));
      },
    });
    expect(shown?.origin).toBe(provider.url);
    expect(shown?.pathname).toBe('/auth/oauth');
    expect(shown?.searchParams.get('scope')).toBe('contacts.readonly');
    expect(shown?.searchParams.get('state')).toMatch(/^[\w-]{32}$/);
    const redirectUri = shown?.searchParams.get('redirect_uri') ?? '';
    expect(new URL(redirectUri).hostname).toBe('127.0.0.1');
    expect(forms).toEqual([
      { path: '/oauth/token', form: { client_id: 'app-1', client_secret: 'app-secret', grant_type: 'authorization_code', code: 'code-contacts.readonly', redirect_uri: redirectUri } },
    ]);
    // The grant named no scopes: it granted what was asked.
    expect(result).toEqual({ token: expect.objectContaining({ kind: 'oauth2', scopes: ['contacts.readonly'], account: 'acct-7' }), notGranted: [] });
    expect(tokens.get('crm')).toMatchObject({ accessToken: result.token.accessToken, refreshToken: result.token.refreshToken });
    await expect.poll(() => landed).toBe(200);
  });

  it('says which asked-for scopes the provider did not grant', async () => {
    grantScope = 'contacts.readonly';
    const result = await authorizeConnection({
      project: project(),
      registry,
      connection: 'crm',
      scopes: ['contacts.readonly', 'contacts.write'],
      vault: vault(),
      log,
      onAuthorizeUrl: (url) => void browse(url),
    });
    expect(result.notGranted).toEqual(['contacts.write']);
    expect(result.token.scopes).toEqual(['contacts.readonly']);
  });

  it('refuses a redirect with another state and stores nothing', async () => {
    const tokens = vault();
    let landed = 0;
    const flow = authorizeConnection({
      project: project(),
      registry,
      connection: 'crm',
      scopes: ['contacts.readonly'],
      vault: tokens,
      log,
      onAuthorizeUrl: (url) => void browse(url, (redirect) => redirect.searchParams.set('state', 'forged')).then((status) => (landed = status)),
    });
    await expect(flow).rejects.toMatchObject({ code: 'AUTH_STATE_MISMATCH' });
    await expect.poll(() => landed).toBe(400);
    expect(forms).toEqual([]);
    expect(tokens.get('crm')).toBeUndefined();
  });

  it('listens on the registered loopback redirect URI and sends it verbatim', async () => {
    const port = await freePort();
    const registered = `http://127.0.0.1:${port}/oauth/back`;
    let seen: string | null = null;
    await authorizeConnection({
      project: project({ redirectUri: registered }),
      registry,
      connection: 'crm',
      scopes: [],
      vault: vault(),
      log,
      onAuthorizeUrl(url, redirectUri) {
        seen = new URL(url).searchParams.get('redirect_uri');
        expect(redirectUri).toBe(registered);
        void browse(url);
      },
    });
    expect(seen).toBe(registered);
    expect(forms[0]?.form['redirect_uri']).toBe(registered);
  });

  it('refuses a registered redirect URI it cannot listen on, and a --port that contradicts it', async () => {
    const base = { registry, connection: 'crm', scopes: [], vault: vault(), log, onAuthorizeUrl: () => undefined };
    await expect(authorizeConnection({ ...base, project: project({ redirectUri: 'https://app.example.com/callback' }) })).rejects.toMatchObject({
      code: 'AUTH_REDIRECT_NOT_LOOPBACK',
      hint: expect.stringContaining('http://127.0.0.1:8765/callback'),
    });
    await expect(authorizeConnection({ ...base, port: 1, project: project({ redirectUri: 'http://127.0.0.1:8765/callback' }) })).rejects.toMatchObject({ code: 'USAGE_INVALID' });
  });

  it('names what is missing for a connection without client credentials', async () => {
    const spec = project();
    const bare: ProjectSpec = { ...spec, connections: { crm: { name: 'crm', connector: 'crm', config: {}, auth: { kind: 'oauth2' } } } };
    await expect(
      authorizeConnection({ project: bare, registry, connection: 'crm', scopes: [], vault: vault(), log, onAuthorizeUrl: () => undefined }),
    ).rejects.toMatchObject({ code: 'AUTH_MISSING', hint: expect.stringContaining('auth.clientId') });
  });
});

describe('authorizeConnection of a partitions: discover connection', () => {
  it('asks for the partitions grant with its scopes besides the given ones, and stores a token of that grant', async () => {
    const tokens = vault();
    let shown: URL | undefined;
    const result = await authorizeConnection({
      project: project({}, 'discover'),
      registry,
      connection: 'crm',
      scopes: ['contacts.readonly', 'accounts.list'],
      vault: tokens,
      log,
      onAuthorizeUrl(url) {
        shown = new URL(url);
        void browse(url);
      },
    });
    expect(shown?.searchParams.get('scope')).toBe('contacts.readonly accounts.list accounts.tokens');
    // The partitions grant's token params, not the connector's usual ones; its account reader.
    expect(forms.map(({ form }) => [form['grant_type'], form['grant']])).toEqual([['authorization_code', 'workspace']]);
    expect(result.forPartitions?.label).toBe('workspace token');
    expect(result.token).toMatchObject({ account: 'ws-3', forPartitions: true, scopes: ['contacts.readonly', 'accounts.list', 'accounts.tokens'] });
    expect(tokens.get('crm')).toMatchObject({ accessToken: result.token.accessToken, forPartitions: true, account: 'ws-3' });

    // Its refreshes use the same grant.
    const rotated = await rotateConnectionToken({ project: project({}, 'discover'), registry, connection: 'crm', vault: tokens, log });
    expect(forms.at(-1)).toEqual({ path: '/oauth/token/refresh', form: { client_id: 'app-1', client_secret: 'app-secret', grant: 'workspace', grant_type: 'refresh_token', refresh_token: result.token.refreshToken } });
    expect(rotated).toMatchObject({ forPartitions: true, account: 'ws-3' });
  });

  it('says which partitions scopes the provider did not grant', async () => {
    grantScope = 'contacts.readonly accounts.list';
    const result = await authorizeConnection({
      project: project({}, 'discover'),
      registry,
      connection: 'crm',
      scopes: ['contacts.readonly'],
      vault: vault(),
      log,
      onAuthorizeUrl: (url) => void browse(url),
    });
    expect(result.notGranted).toEqual(['accounts.tokens']);
  });

  it('keeps the usual grant for a connection whose partitions are listed', async () => {
    const result = await authorizeConnection({
      project: project({}, [{ id: 'a', config: {} }]),
      registry,
      connection: 'crm',
      scopes: ['contacts.readonly'],
      vault: vault(),
      log,
      onAuthorizeUrl: (url) => void browse(url),
    });
    expect(forms[0]?.form['grant']).toBeUndefined();
    expect(result.forPartitions).toBeUndefined();
    expect(result.token).toMatchObject({ account: 'acct-7', scopes: ['contacts.readonly'] });
    expect(result.token.forPartitions).toBeUndefined();
  });

  it('refuses to rotate a token of the usual grant once the connection discovers its partitions', async () => {
    const tokens = vault();
    tokens.put('crm', { kind: 'oauth2', accessToken: 'at-old', refreshToken: 'rt-old', scopes: ['contacts.readonly'], account: 'acct-7', tokenType: 'Bearer', obtainedAt: new Date().toISOString() });
    await expect(rotateConnectionToken({ project: project({}, 'discover'), registry, connection: 'crm', vault: tokens, log })).rejects.toMatchObject({
      code: 'AUTH_PARTITIONS_GRANT',
      hint: expect.stringMatching(/^run `ferry auth crm` again: for a `partitions: discover` connection it asks for a workspace token with accounts.list accounts.tokens$/),
    });
    expect(forms).toEqual([]);
  });
});

describe('rotateConnectionToken', () => {
  it("refreshes at the connector's refresh URL, on the sandbox, and stores the rotated pair", async () => {
    const tokens = vault();
    tokens.put('crm', { kind: 'oauth2', accessToken: 'at-old', refreshToken: 'rt-old', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), scopes: ['contacts.readonly'], tokenType: 'Bearer', obtainedAt: new Date().toISOString() });
    const rotated = await rotateConnectionToken({ project: project(), registry, connection: 'crm', vault: tokens, log });
    expect(forms).toEqual([{ path: '/oauth/token/refresh', form: { client_id: 'app-1', client_secret: 'app-secret', grant_type: 'refresh_token', refresh_token: 'rt-old' } }]);
    expect(tokens.get('crm')).toMatchObject({ accessToken: rotated.accessToken, refreshToken: rotated.refreshToken, scopes: ['contacts.readonly'], rotatedAt: expect.any(String) });
    expect(rotated.refreshToken).not.toBe('rt-old');
  });

  it('names an unknown connection', async () => {
    await expect(rotateConnectionToken({ project: project(), registry, connection: 'crn', vault: vault(), log })).rejects.toMatchObject({
      code: 'CONNECTION_UNKNOWN',
      message: expect.stringContaining("did you mean 'crm'?"),
    });
  });
});
