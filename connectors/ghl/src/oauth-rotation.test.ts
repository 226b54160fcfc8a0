import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createOAuthTokenProvider,
  createTokenVault,
  exchangeCode,
  openSqliteStore,
  storedTokenFrom,
  tokenEndpoint,
  type AuthKind,
  type Logger,
  type OAuth2AuthKind,
  type SqliteStore,
  type TokenVault,
} from '@ferry/core';
import { ghl } from './connector.js';
import { SANDBOX_OAUTH_CLIENT, tokenFingerprint } from './sandbox/index.js';
import { startSandbox, type SandboxHarness } from './testing/sandbox-harness.js';

/**
 * GHL rotates refresh tokens: each refresh spends the old one. A burst of calls that all find the access token
 * expired must refresh once (a second refresh would spend the new refresh token), and the rotated pair must be
 * in the store before anyone uses it.
 */

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const kinds: readonly AuthKind[] = ghl.auth;
const oauth = kinds.find((a): a is OAuth2AuthKind => a.kind === 'oauth2');
if (oauth === undefined) throw new Error('the connector declares no oauth2 auth');
const auth: OAuth2AuthKind = oauth;

let harness: SandboxHarness;
let dir: string;
let store: SqliteStore;
let vault: TokenVault;
const key = randomBytes(32);
const REDIRECT = 'http://127.0.0.1:9/callback';

interface TokenSnapshot {
  tokens: { refresh: { fingerprint: string; spent: boolean }[]; grants: { refreshToken: number; authorizationCode: number } };
}

beforeAll(async () => {
  harness = await startSandbox({ size: 20, seed: 9, extra: { accessTokenTtlSeconds: 3600 } });
  dir = mkdtempSync(join(tmpdir(), 'ferry-ghl-oauth-'));
  store = openSqliteStore(join(dir, 'ferry.db'));
  vault = createTokenVault({ store, key });
});

afterAll(async () => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
  await harness.close();
});

async function connect(): Promise<void> {
  const code = harness.sandbox.issueAuthorizationCode({ redirectUri: REDIRECT, scopes: ['contacts.readonly', 'contacts.write'] });
  const grant = await exchangeCode({
    endpoint: tokenEndpoint(`${harness.url}/oauth/token`, quiet),
    auth,
    connection: 'ghl',
    clientId: SANDBOX_OAUTH_CLIENT.clientId,
    clientSecret: SANDBOX_OAUTH_CLIENT.clientSecret,
    code,
    redirectUri: REDIRECT,
  });
  vault.put('ghl', storedTokenFrom(grant));
}

function provider(): ReturnType<typeof createOAuthTokenProvider> {
  return createOAuthTokenProvider({
    vault,
    connection: 'ghl',
    auth,
    clientId: SANDBOX_OAUTH_CLIENT.clientId,
    clientSecret: SANDBOX_OAUTH_CLIENT.clientSecret,
    endpoint: tokenEndpoint(`${harness.url}/oauth/token`, quiet),
    log: quiet,
  });
}

describe('OAuth refresh-token rotation', () => {
  it('a 50-call burst on an expired access token refreshes exactly once and persists the rotated pair', async () => {
    await connect();
    const before = vault.get('ghl');
    expect(before?.account).toBe(harness.locationId);
    expect(before?.scopes).toEqual(['contacts.readonly', 'contacts.write']);

    // The API's clock passes the token's lifetime; ferry's copy still looks valid, so every call gets a 401.
    harness.sandbox.advanceClock(3_601_000);
    const client = harness.client(provider());
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => client.searchPage({ pageLimit: 1, query: i % 2 === 0 ? '' : 'a' })));
    expect(results).toHaveLength(50);

    const snapshot = harness.sandbox.snapshot() as unknown as TokenSnapshot;
    expect(snapshot.tokens.grants.refreshToken).toBe(1);
    const stats = harness.sandbox.stats() as { byStatus: Record<string, number> };
    expect(stats.byStatus['401']).toBeGreaterThanOrEqual(1);

    // Persisted: a new vault over a reopened store reads the rotated pair.
    store.close();
    store = openSqliteStore(join(dir, 'ferry.db'));
    vault = createTokenVault({ store, key });
    const after = vault.get('ghl');
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(after?.rotatedAt).toBeDefined();
    const spent = snapshot.tokens.refresh.find((r) => r.fingerprint === tokenFingerprint(before?.refreshToken ?? ''));
    const current = snapshot.tokens.refresh.find((r) => r.fingerprint === tokenFingerprint(after?.refreshToken ?? ''));
    expect(spent?.spent).toBe(true);
    expect(current?.spent).toBe(false);
  });

  it('a token the store knows to be expiring is refreshed ahead, once, whatever the concurrency', async () => {
    await connect();
    const stored = vault.get('ghl');
    if (stored === undefined) throw new Error('no token stored');
    vault.put('ghl', { ...stored, expiresAt: new Date(Date.now() - 1000).toISOString() });
    const grantsBefore = (harness.sandbox.snapshot() as unknown as TokenSnapshot).tokens.grants.refreshToken;
    const client = harness.client(provider());
    await Promise.all(Array.from({ length: 50 }, () => client.getContact('noSuchContact0000001')));
    const grantsAfter = (harness.sandbox.snapshot() as unknown as TokenSnapshot).tokens.grants.refreshToken;
    expect(grantsAfter - grantsBefore).toBe(1);
  });

  it('a spent refresh token is refused with invalid_grant (the old pair must never be reused)', async () => {
    await connect();
    const stored = vault.get('ghl');
    const form = {
      client_id: SANDBOX_OAUTH_CLIENT.clientId,
      client_secret: SANDBOX_OAUTH_CLIENT.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: stored?.refreshToken ?? '',
    };
    const first = await fetch(`${harness.url}/oauth/token`, { method: 'POST', body: new URLSearchParams(form) });
    expect(first.status).toBe(200);
    const again = await fetch(`${harness.url}/oauth/token`, { method: 'POST', body: new URLSearchParams(form) });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe('invalid_grant');
  });
});
