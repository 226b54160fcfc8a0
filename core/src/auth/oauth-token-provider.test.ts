import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { pino } from 'pino';
import { randomBytes } from 'node:crypto';
import type { OAuth2AuthKind, OAuth2PartitionsGrant } from '../contract/connector.js';
import { serveHandlers, type LoopbackServer } from '../sandbox/serve-handlers.js';
import { createHttpClient } from '../http/http-client.js';
import { closeAllPools } from '../http/pool-registry.js';
import { forgetLimiters } from '../http/limiter-registry.js';
import { connectRedis } from '../coordination/redis-connection.js';
import { DistributedLock } from '../coordination/distributed-lock.js';
import { createOAuthTokenProvider, rotateOAuthToken, setTokenRefreshLock, type OAuthTokenProviderOptions } from './oauth-token-provider.js';
import { createTokenVault, type KeyValueStore, type TokenVault } from './token-vault.js';
import { exchangeCode, storedTokenFrom, tokenEndpoint } from './token-endpoint.js';
import type { StoredToken } from './stored-token.js';

const log = pino({ level: 'silent' });
/** The fake provider's agency grant: another `user_type`, the account read from `companyId`. */
const agencyGrant: OAuth2PartitionsGrant = {
  label: 'agency (Company) token',
  scopes: ['oauth.readonly', 'oauth.write'],
  extraTokenParams: { user_type: 'Company' },
  accountFrom: (body) => (typeof body['companyId'] === 'string' ? body['companyId'] : undefined),
};
const auth: OAuth2AuthKind = {
  kind: 'oauth2',
  authorizeUrl: 'https://marketplace.example.test/oauth/chooselocation',
  tokenUrl: '/oauth/token',
  scopeSeparator: ' ',
  extraTokenParams: { user_type: 'Location' },
  accountFrom: (body) => (typeof body['locationId'] === 'string' ? body['locationId'] : undefined),
  forPartitions: agencyGrant,
};
/** What the agency token of the fake provider grants. */
const AGENCY_SCOPES = ['contacts.readonly', 'oauth.readonly', 'oauth.write'];

/** A token endpoint that rotates refresh tokens like GHL: each refresh token works once. */
let server: LoopbackServer;
let refreshCalls = 0;
let forms: Record<string, string>[] = [];
let validRefresh = new Set<string>();
let generation = 0;

beforeEach(async () => {
  refreshCalls = 0;
  forms = [];
  generation = 0;
  validRefresh = new Set(['rt-0']);
  server = await serveHandlers([
    http.post('*/oauth/token', async ({ request }) => {
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      forms.push(form);
      if (form['grant_type'] === 'refresh_token') {
        refreshCalls += 1;
        await new Promise((r) => setTimeout(r, 30)); // long enough for every caller to pile up
        if (!validRefresh.delete(form['refresh_token'] ?? '')) {
          return HttpResponse.json({ error: 'invalid_grant', error_description: 'refresh token already used' }, { status: 400 });
        }
      }
      generation += 1;
      validRefresh.add(`rt-${generation}`);
      return HttpResponse.json({
        access_token: `at-${generation}`,
        refresh_token: `rt-${generation}`,
        expires_in: 86399,
        token_type: 'Bearer',
        ...(form['user_type'] === 'Company'
          ? { scope: AGENCY_SCOPES.join(' '), userType: 'Company', companyId: 'co-3' }
          : { scope: 'contacts.readonly contacts.write', userType: 'Location', locationId: 'loc-9', companyId: 'co-3' }),
      });
    }),
    // The API accepts only the newest access token.
    http.get('*/contacts', ({ request }) =>
      request.headers.get('authorization') === `Bearer at-${generation}`
        ? HttpResponse.json({ contacts: [] })
        : HttpResponse.json({ statusCode: 401, message: 'Invalid JWT' }, { status: 401 }),
    ),
  ]);
});
afterEach(async () => {
  await server.close();
});
afterAll(async () => {
  await forgetLimiters();
  await closeAllPools();
});

function memoryStore(): KeyValueStore {
  const rows = new Map<string, string>();
  return { getValue: (ns, key) => rows.get(`${ns}/${key}`), setValue: (ns, key, value) => void rows.set(`${ns}/${key}`, value) };
}

function seededVault(token: Partial<StoredToken> = {}): TokenVault {
  const vault = createTokenVault({ store: memoryStore(), key: randomBytes(32) });
  vault.put('crm', {
    kind: 'oauth2',
    accessToken: 'at-0',
    refreshToken: 'rt-0',
    expiresAt: new Date(Date.now() - 1000).toISOString(),
    scopes: ['contacts.readonly'],
    tokenType: 'Bearer',
    obtainedAt: new Date().toISOString(),
    ...token,
  });
  return vault;
}

function options(vault: TokenVault, extra: Partial<OAuthTokenProviderOptions> = {}): OAuthTokenProviderOptions {
  return {
    vault,
    connection: 'crm',
    auth,
    clientId: 'client-1',
    clientSecret: 'secret-1',
    endpoint: tokenEndpoint(`${server.url}/oauth/token`, log),
    log,
    ...extra,
  };
}

function provider(vault: TokenVault, extra: Partial<OAuthTokenProviderOptions> = {}) {
  return createOAuthTokenProvider(options(vault, extra));
}

describe('createOAuthTokenProvider', () => {
  it('runs exactly one refresh for 50 concurrent calls with an expired token', async () => {
    const vault = seededVault();
    const tokens = provider(vault);
    const results = await Promise.all(Array.from({ length: 50 }, () => tokens.getToken()));
    expect(refreshCalls).toBe(1);
    expect(new Set(results)).toEqual(new Set(['at-1']));
  });

  it('shares the single refresh across providers of the same vault and connection', async () => {
    const vault = seededVault();
    const [a, b] = [provider(vault), provider(vault)];
    await Promise.all([a.getToken(), b.getToken(), a.getToken()]);
    expect(refreshCalls).toBe(1);
  });

  it('persists the rotated pair before handing out the new access token', async () => {
    const inner = seededVault();
    const events: string[] = [];
    const vault: TokenVault = { ...inner, put: (c, t) => (events.push(`put ${t.accessToken} ${t.refreshToken ?? ''}`), inner.put(c, t)), get: (c) => inner.get(c) };
    const token = await provider(vault).getToken();
    events.push(`handed ${token}`);
    expect(events).toEqual(['put at-1 rt-1', 'handed at-1']);
    expect(inner.get('crm')).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1', account: 'loc-9', scopes: ['contacts.readonly', 'contacts.write'] });
    expect(inner.get('crm')?.rotatedAt).toBeDefined();
    expect(forms[0]).toEqual({ client_id: 'client-1', client_secret: 'secret-1', user_type: 'Location', grant_type: 'refresh_token', refresh_token: 'rt-0' });
  });

  it('refreshes ahead of expiry, within the skew, and not before', async () => {
    const fresh = seededVault({ expiresAt: new Date(Date.now() + 60 * 60_000).toISOString() });
    expect(await provider(fresh).getToken()).toBe('at-0');
    const soon = seededVault({ expiresAt: new Date(Date.now() + 2 * 60_000).toISOString() });
    expect(await provider(soon).getToken()).toBe('at-1');
    expect(refreshCalls).toBe(1);
  });

  it('turns a refused refresh (invalid_grant) into a systemic AUTH_REVOKED', async () => {
    validRefresh.clear();
    const error: unknown = await provider(seededVault()).getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_REVOKED', hint: 'the grant was revoked, expired or already used: run `ferry auth crm`', details: { systemic: true } });
    expect(JSON.stringify(error)).not.toContain('rt-0');
  });

  it('fails with AUTH_MISSING when the connection has no token', async () => {
    const vault = createTokenVault({ store: memoryStore(), key: randomBytes(32) });
    await expect(provider(vault).getToken()).rejects.toMatchObject({ code: 'AUTH_MISSING', details: { systemic: true } });
  });

  it('on a 401 refreshes once, and not at all when another call already rotated the token', async () => {
    const vault = seededVault({ expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    const tokens = provider(vault);
    expect(await tokens.onUnauthorized('at-0')).toBe(true);
    expect(refreshCalls).toBe(1);
    expect(await tokens.onUnauthorized('at-0')).toBe(true); // stale token: the vault already holds at-1
    expect(refreshCalls).toBe(1);
    expect(await tokens.getToken()).toBe('at-1');
  });

  it('lets the HTTP client recover from a 401 with a refreshed token', async () => {
    const vault = seededVault({ expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    const client = createHttpClient({
      connector: 'ghl',
      account: 'loc-9',
      baseUrl: server.url,
      profile: { baseUrl: () => server.url },
      token: provider(vault),
      log,
    });
    generation = 5; // the API now wants at-5; our stored at-0 is refused
    validRefresh.add('rt-0');
    const res = await client.request({ method: 'GET', path: '/contacts' });
    expect(res.body).toEqual({ contacts: [] });
    expect(refreshCalls).toBe(1);
    expect(client.stats.calls).toBe(2);
  });
});

describe('a token of the partitions grant (an agency token for `partitions: discover`)', () => {
  const agencyToken = { forPartitions: true as const, account: 'co-3', scopes: AGENCY_SCOPES };

  it('is refreshed with the partitions grant\'s params, and stays an agency token of its company', async () => {
    const vault = seededVault(agencyToken);
    expect(await provider(vault, { forPartitions: agencyGrant }).getToken()).toBe('at-1');
    expect(forms).toEqual([{ client_id: 'client-1', client_secret: 'secret-1', user_type: 'Company', grant_type: 'refresh_token', refresh_token: 'rt-0' }]);
    expect(vault.get('crm')).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1', account: 'co-3', forPartitions: true, scopes: AGENCY_SCOPES });
  });

  it('is rotated with the partitions grant\'s params too', async () => {
    const vault = seededVault({ ...agencyToken, expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    const rotated = await rotateOAuthToken(options(vault, { forPartitions: agencyGrant }));
    expect(rotated).toMatchObject({ accessToken: 'at-1', forPartitions: true, account: 'co-3' });
    expect(forms.map((form) => form['user_type'])).toEqual(['Company']);
  });

  it('refuses a location token on a partitions: discover connection before anything is posted', async () => {
    const vault = seededVault({ account: 'loc-9' });
    const tokens = provider(vault, { forPartitions: agencyGrant });
    const error: unknown = await tokens.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AUTH_PARTITIONS_GRANT', details: { systemic: true, connection: 'crm' } });
    expect((error as Error).message).toMatch(/needs an agency \(Company\) token, but its stored token was granted for account loc-9/);
    await expect(tokens.onUnauthorized('at-0')).rejects.toMatchObject({ code: 'AUTH_PARTITIONS_GRANT' });
    await expect(rotateOAuthToken(options(vault, { forPartitions: agencyGrant }))).rejects.toMatchObject({ code: 'AUTH_PARTITIONS_GRANT' });
    expect(forms).toEqual([]);
  });

  it('refuses an agency token that lacks a scope discovery needs, and an agency token on a connection without partitions', async () => {
    const lacking = seededVault({ ...agencyToken, scopes: ['contacts.readonly', 'oauth.readonly'] });
    await expect(provider(lacking, { forPartitions: agencyGrant }).getToken()).rejects.toMatchObject({ code: 'AUTH_MISSING_SCOPE', details: { missing: ['oauth.write'] } });
    await expect(provider(seededVault(agencyToken)).getToken()).rejects.toMatchObject({ code: 'AUTH_PARTITIONS_GRANT' });
    expect(forms).toEqual([]);
  });
});

describe('time scaling and rotation', () => {
  it('treats timeScale 0 as no scaling: a valid token is not refreshed on every call', async () => {
    const tokens = provider(seededVault({ expiresAt: new Date(Date.now() + 60 * 60_000).toISOString() }), { timeScale: 0 });
    for (let i = 0; i < 5; i += 1) expect(await tokens.getToken()).toBe('at-0');
    expect(refreshCalls).toBe(0);
  });

  it('scales only the proactive skew; the lifetime the server gives is taken as given', async () => {
    // 4 minutes left: inside the 5-minute skew, outside the 3-second one a 100-times faster clock uses.
    const soon = provider(seededVault({ expiresAt: new Date(Date.now() + 4 * 60_000).toISOString() }), { timeScale: 100 });
    expect(await soon.getToken()).toBe('at-0');
    expect(refreshCalls).toBe(0);
    const vault = seededVault();
    const before = Date.now();
    expect(await provider(vault, { timeScale: 100 }).getToken()).toBe('at-1');
    const lifetime = Date.parse(vault.get('crm')?.expiresAt ?? '') - before;
    expect(lifetime).toBeGreaterThan(86_398_000);
    expect(lifetime).toBeLessThanOrEqual(86_400_000);
  });

  it('rotates a valid token on demand, sharing the single flight with the providers', async () => {
    const vault = seededVault();
    const tokens = provider(vault);
    const [rotated, a, b] = await Promise.all([rotateOAuthToken(options(vault)), tokens.getToken(), tokens.getToken()]);
    expect(refreshCalls).toBe(1);
    expect([rotated.accessToken, a, b]).toEqual(['at-1', 'at-1', 'at-1']);
    // Not expiring: a rotation refreshes anyway, and the refresh token is replaced.
    const again = await rotateOAuthToken(options(vault));
    expect(refreshCalls).toBe(2);
    expect(again).toMatchObject({ accessToken: 'at-2', refreshToken: 'rt-2' });
    expect(vault.get('crm')).toMatchObject({ refreshToken: 'rt-2', rotatedAt: expect.any(String) });
    expect(forms.at(-1)).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-1' });
  });

  it('shares the single flight between vaults opened over the same store', async () => {
    const store = memoryStore();
    const key = randomBytes(32);
    const [first, second] = [createTokenVault({ store, key }), createTokenVault({ store, key })];
    first.put('crm', { kind: 'oauth2', accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: new Date(Date.now() - 1000).toISOString(), scopes: [], tokenType: 'Bearer', obtainedAt: new Date().toISOString() });
    const results = await Promise.all([provider(first).getToken(), provider(second).getToken(), rotateOAuthToken(options(second))]);
    expect(refreshCalls).toBe(1);
    expect(results.map((r) => (typeof r === 'string' ? r : r.accessToken))).toEqual(['at-1', 'at-1', 'at-1']);
  });

  it('refuses to rotate a token without a refresh token', async () => {
    const vault = seededVault();
    const { refreshToken: _spent, ...withoutRefresh } = vault.get('crm') ?? { kind: 'oauth2', accessToken: 'x', scopes: [], tokenType: 'Bearer', obtainedAt: '' };
    vault.put('crm', withoutRefresh);
    await expect(rotateOAuthToken(options(vault))).rejects.toMatchObject({ code: 'AUTH_REVOKED', details: { systemic: true } });
    expect(refreshCalls).toBe(0);
  });
});

describe('refreshes across processes (a lock shared through Redis)', () => {
  /** Two stores over the same rows: two processes sharing one database (each has its own in-process single flight). */
  function sharedRows(): [KeyValueStore, KeyValueStore] {
    const rows = new Map<string, string>();
    const open = (): KeyValueStore => ({ getValue: (ns, key) => rows.get(`${ns}/${key}`), setValue: (ns, key, value) => void rows.set(`${ns}/${key}`, value) });
    return [open(), open()];
  }

  function vaultsOverSharedRows(): [TokenVault, TokenVault, KeyValueStore, KeyValueStore] {
    const key = randomBytes(32);
    const [first, second] = sharedRows();
    const a = createTokenVault({ store: first, key });
    const b = createTokenVault({ store: second, key });
    a.put('crm', { kind: 'oauth2', accessToken: 'at-0', refreshToken: 'rt-0', expiresAt: new Date(Date.now() - 1000).toISOString(), scopes: [], tokenType: 'Bearer', obtainedAt: new Date().toISOString() });
    return [a, b, first, second];
  }

  it('refreshes once when two processes find the token expired at the same moment; both go on with the new token', async () => {
    const redis = await connectRedis('redis://127.0.0.1:6379/0', { purpose: 'a test' });
    const prefix = `ferry-test-token-${randomBytes(6).toString('hex')}`;
    const [a, b, storeA, storeB] = vaultsOverSharedRows();
    try {
      // One process names the lock in its options, the other gets it through its store.
      setTokenRefreshLock(storeB, new DistributedLock({ redis, prefix, ttlMs: 2_000 }));
      const tokens = await Promise.all([provider(a, { refreshLock: new DistributedLock({ redis, prefix, ttlMs: 2_000 }) }).getToken(), provider(b).getToken()]);
      expect(refreshCalls).toBe(1);
      expect(tokens).toEqual(['at-1', 'at-1']);
      expect(b.get('crm')?.refreshToken).toBe('rt-1');
    } finally {
      setTokenRefreshLock(storeA, undefined);
      setTokenRefreshLock(storeB, undefined);
      redis.disconnect();
    }
  });

  it('refreshes an agency token once across processes, with the partitions grant\'s params', async () => {
    const redis = await connectRedis('redis://127.0.0.1:6379/0', { purpose: 'a test' });
    const prefix = `ferry-test-token-${randomBytes(6).toString('hex')}`;
    const [a, b, storeA, storeB] = vaultsOverSharedRows();
    a.put('crm', { ...(a.get('crm') ?? { kind: 'oauth2', accessToken: '', scopes: [], tokenType: 'Bearer', obtainedAt: '' }), forPartitions: true, account: 'co-3' });
    try {
      setTokenRefreshLock(storeA, new DistributedLock({ redis, prefix, ttlMs: 2_000 }));
      setTokenRefreshLock(storeB, new DistributedLock({ redis, prefix, ttlMs: 2_000 }));
      const tokens = await Promise.all([provider(a, { forPartitions: agencyGrant }).getToken(), provider(b, { forPartitions: agencyGrant }).getToken()]);
      expect(tokens).toEqual(['at-1', 'at-1']);
      expect(refreshCalls).toBe(1);
      expect(forms.map((form) => form['user_type'])).toEqual(['Company']);
      expect(b.get('crm')).toMatchObject({ refreshToken: 'rt-1', forPartitions: true, account: 'co-3', scopes: AGENCY_SCOPES });
    } finally {
      setTokenRefreshLock(storeA, undefined);
      setTokenRefreshLock(storeB, undefined);
      redis.disconnect();
    }
  });

  it('without the lock, the second process spends the rotated refresh token and fails (what the lock prevents)', async () => {
    const [a, b] = vaultsOverSharedRows();
    const outcomes = await Promise.allSettled([provider(a).getToken(), provider(b).getToken()]);
    expect(refreshCalls).toBe(2);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
  });
});

describe('exchangeCode and storedTokenFrom', () => {
  it('posts the code with the client credentials and reads the account', async () => {
    const grant = await exchangeCode({
      endpoint: tokenEndpoint(`${server.url}/oauth/token`, log),
      auth,
      connection: 'crm',
      clientId: 'client-1',
      clientSecret: 'secret-1',
      code: 'code-xyz',
      redirectUri: 'http://127.0.0.1:5555/callback',
    });
    expect(forms[0]).toEqual({
      client_id: 'client-1',
      client_secret: 'secret-1',
      user_type: 'Location',
      grant_type: 'authorization_code',
      code: 'code-xyz',
      redirect_uri: 'http://127.0.0.1:5555/callback',
    });
    expect(grant).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1', expiresInMs: 86_399_000, account: 'loc-9', tokenType: 'Bearer' });
    const stored = storedTokenFrom(grant, { now: Date.parse('2026-01-01T00:00:00Z') });
    // expires_in is taken as given: 86399 s later.
    expect(stored).toMatchObject({ kind: 'oauth2', obtainedAt: '2026-01-01T00:00:00.000Z', expiresAt: '2026-01-01T23:59:59.000Z' });
    expect(stored.rotatedAt).toBeUndefined();
  });

  it('records the requested scopes when the grant names none (RFC 6749: it granted what was asked)', () => {
    const grant = { accessToken: 'a', refreshToken: 'r', expiresInMs: 1000, scopes: [], account: undefined, tokenType: 'Bearer' };
    expect(storedTokenFrom(grant, { requestedScopes: ['contacts:read'] }).scopes).toEqual(['contacts:read']);
    expect(storedTokenFrom({ ...grant, scopes: ['x'] }, { requestedScopes: ['contacts:read'] }).scopes).toEqual(['x']);
  });

  it('keeps the previous refresh token when a refresh returns none', () => {
    const previous = storedTokenFrom({ accessToken: 'a', refreshToken: 'r-old', expiresInMs: undefined, scopes: ['s'], account: 'acc', tokenType: 'Bearer' });
    const next = storedTokenFrom({ accessToken: 'b', refreshToken: undefined, expiresInMs: 1000, scopes: [], account: undefined, tokenType: 'Bearer' }, { previous });
    expect(next).toMatchObject({ accessToken: 'b', refreshToken: 'r-old', scopes: ['s'], account: 'acc', obtainedAt: previous.obtainedAt });
  });
});
