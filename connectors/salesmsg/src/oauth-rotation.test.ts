import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildAuthorizeUrl,
  closeAllPools,
  createContextFactory,
  createTokenVault,
  exchangeCode,
  openSqliteStore,
  resolveTokenUrl,
  scopesFor,
  storedTokenFrom,
  tokenEndpoint,
  type AuthKind,
  type OAuth2AuthKind,
  type ProjectSpec,
  type SqliteStore,
  type TokenVault,
} from '@ferry/core';
import { salesmsgApi } from './client/salesmsg-api.js';
import { salesmsg } from './connector.js';
import { SANDBOX_OAUTH_CLIENT, tokenFingerprint } from './sandbox/index.js';
import { quiet, startSandbox, type SandboxHarness } from './testing/sandbox-harness.js';

/**
 * Salesmsg rotates refresh tokens. Through the runtime (context factory → core OAuth token provider → vault over
 * SQLite): the code is exchanged, an access token the API says has expired — in its 500 shape — is refreshed
 * once however many calls find it so, and the rotated refresh token is in the store before it is used.
 */

const kinds: readonly AuthKind[] = salesmsg.auth;
const found = kinds.find((a): a is OAuth2AuthKind => a.kind === 'oauth2');
if (found === undefined) throw new Error('the connector declares no oauth2 auth');
const auth: OAuth2AuthKind = found;
const REDIRECT = 'http://127.0.0.1:9/callback';

let harness: SandboxHarness;
let dir: string;
let store: SqliteStore;
let vault: TokenVault;
const key = randomBytes(32);

beforeAll(async () => {
  harness = await startSandbox({ seed: 6, size: 20 });
  dir = mkdtempSync(join(tmpdir(), 'ferry-salesmsg-oauth-'));
  store = openSqliteStore(join(dir, 'ferry.db'));
  vault = createTokenVault({ store, key });
});

afterAll(async () => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
  await harness.close();
  await closeAllPools();
});

function project(): ProjectSpec {
  return {
    file: join(dir, 'ferry.yaml'),
    baseDir: dir,
    store: join(dir, 'ferry.db'),
    connections: {
      salesmsg: {
        name: 'salesmsg',
        connector: 'salesmsg',
        config: { baseUrl: harness.url, accountId: 'oauth-account' },
        auth: { kind: 'oauth2', clientId: SANDBOX_OAUTH_CLIENT.clientId, clientSecret: SANDBOX_OAUTH_CLIENT.clientSecret, redirectUri: REDIRECT },
      },
    },
    pipelineFiles: [],
    serve: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  };
}

interface TokenSnapshot {
  tokens: { refresh: { fingerprint: string; spent: boolean }[]; grants: { refreshToken: number; authorizationCode: number } };
}

describe('OAuth 2.0 with rotating refresh tokens, through the runtime', () => {
  it('asks only for read scopes when pipelines only read, on the vendor consent page', () => {
    const url = new URL(buildAuthorizeUrl(auth, { clientId: 'app', redirectUri: REDIRECT, scopes: scopesFor(salesmsg, { reads: true, writes: false }), state: 'st' }));
    expect(url.origin + url.pathname).toBe('https://app.salesmessage.com/auth/oauth');
    expect(url.searchParams.get('scope')).toBe('contacts:read tags:read conversations:read messages:read');
  });

  it('exchanges the code, refreshes once on an expired token (500 shape) and persists the rotated pair', async () => {
    const config = project().connections['salesmsg']?.config ?? {};
    // A sandboxed connection refreshes against the sandbox, never the real API.
    const tokenUrl = resolveTokenUrl(salesmsg, auth, config, salesmsg.http.baseUrl(config));
    expect(tokenUrl).toBe(`${harness.url}/pub/v2.2/oauth/token`);
    const code = harness.sandbox.issueAuthorizationCode({ redirectUri: REDIRECT });
    const grant = await exchangeCode({
      endpoint: tokenEndpoint(tokenUrl, quiet),
      auth,
      connection: 'salesmsg',
      clientId: SANDBOX_OAUTH_CLIENT.clientId,
      clientSecret: SANDBOX_OAUTH_CLIENT.clientSecret,
      code,
      redirectUri: REDIRECT,
    });
    vault.put('salesmsg', storedTokenFrom(grant));
    const before = vault.get('salesmsg');

    const factory = createContextFactory({ project: project(), registry: new Map([['salesmsg', salesmsg]]), store, vault, log: quiet, signal: new AbortController().signal, timeScale: 1000 });
    const ctx = factory.context('salesmsg');
    const api = salesmsgApi(ctx.http);
    expect((await api.getContact(10_001))?.id).toBe(10_001);

    // The API's clock passes the token's lifetime; ferry's copy still looks valid, so calls meet the 500.
    harness.sandbox.advanceClock(86_400_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => api.getContact(10_002)));
    expect(results.every((c) => c?.id === 10_002)).toBe(true);

    const snapshot = harness.sandbox.snapshot() as unknown as TokenSnapshot;
    expect(snapshot.tokens.grants.refreshToken).toBe(1);
    expect((harness.sandbox.stats()['byStatus'] as Record<string, number>)['500']).toBeGreaterThanOrEqual(1);

    // Persisted: a new vault over the reopened store reads the rotated pair.
    store.close();
    store = openSqliteStore(join(dir, 'ferry.db'));
    vault = createTokenVault({ store, key });
    const after = vault.get('salesmsg');
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(after?.rotatedAt).toBeDefined();
    expect(snapshot.tokens.refresh.find((r) => r.fingerprint === tokenFingerprint(before?.refreshToken ?? ''))?.spent).toBe(true);
    expect(snapshot.tokens.refresh.find((r) => r.fingerprint === tokenFingerprint(after?.refreshToken ?? ''))?.spent).toBe(false);
    await factory.close();
  });
});
