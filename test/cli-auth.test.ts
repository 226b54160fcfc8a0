import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVault, openSqliteStore, parseSecretKey, serveSandbox, type ServedSandbox, type StoredToken } from '@ferry/core';
import { ghlSandbox, SANDBOX_LOCATION_ID, SANDBOX_OAUTH_CLIENT as GHL_CLIENT, tokenFingerprint } from '@ferry/connector-ghl/sandbox';
import { salesmsgSandbox, SANDBOX_OAUTH_CLIENT as SALESMSG_CLIENT, SANDBOX_TOKENS } from '@ferry/connector-salesmsg/sandbox';
import { REPO_ROOT, spawnFerry, waitFor, type FerryOutput } from './support/ferry-cli.js';
import { createTempProject, type TempProject } from './support/temp-project.js';

/**
 * `ferry auth` as a person runs it, in a child process against the GHL and Salesmsg sandboxes on loopback. The
 * test plays the browser: it opens the printed authorize URL on the sandbox's consent page and follows the
 * redirect to the CLI's loopback listener.
 */

const SECRET_KEY = randomBytes(32).toString('base64');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface StatusJson {
  connections: {
    connection: string;
    kind: string;
    tokenFrom: string;
    account: string | null;
    scopes: string[] | null;
    expiresAt: string | null;
    obtainedAt: string | null;
    rotatedAt: string | null;
    needed: string[];
    missing: string[] | null;
    writtenBy: string[];
  }[];
}

interface RunJson {
  runs: { status: string; exitCode: number; error: { code: string; message: string; hint?: string } | null }[];
}

let ghl: ServedSandbox;
let salesmsg: ServedSandbox;
let project: TempProject;

const env = (): Record<string, string> => ({ GHL_SANDBOX_URL: ghl.url, SALESMSG_SANDBOX_URL: salesmsg.url, FERRY_SECRET_KEY: SECRET_KEY });
const run = (args: readonly string[]): Promise<FerryOutput> => spawnFerry(args, { cwd: project.dir, env: env() }).exited;

/** `ferry <args>` with `input` on standard input (spawnFerry gives the child none). */
function runWithStdin(args: readonly string[], input: string): Promise<FerryOutput> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, join(REPO_ROOT, 'cli/src/main.ts'), ...args], {
    cwd: project.dir,
    env: { ...process.env, NO_COLOR: '1', ...env() },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Starts `ferry auth <args>`, waits for the printed authorize URL, plays the browser, and returns both. */
async function authorize(args: readonly string[], tamper: (redirect: URL) => void = () => undefined): Promise<{ url: URL; out: FerryOutput; landed: number }> {
  const child = spawnFerry(['auth', ...args, '--no-browser'], { cwd: project.dir, env: env() });
  const printed = await waitFor(() => /^ {2}(http:\/\/127\.0\.0\.1:\d+\/\S+)$/m.exec(child.stderr())?.[1], `the authorize URL of ferry auth ${args.join(' ')}`);
  const consent = await fetch(printed, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const redirect = new URL(consent.headers.get('location') ?? '');
  tamper(redirect);
  const landing = await fetch(redirect);
  await landing.text();
  return { url: new URL(printed), out: await child.exited, landed: landing.status };
}

/** The tokens as a later process reads them: a fresh store and vault over the file. */
function storedToken(connection: string): StoredToken | undefined {
  const store = openSqliteStore(project.path('state/ferry.db'));
  try {
    return createTokenVault({ store, key: parseSecretKey(SECRET_KEY, 'test key') }).get(connection);
  } finally {
    store.close();
  }
}

/** Every byte of the store on disk, its write-ahead log included. */
function storeBytes(): string {
  return ['state/ferry.db', 'state/ferry.db-wal']
    .map((file) => project.path(file))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString('latin1'))
    .join('');
}

function status(out: FerryOutput, connection: string): StatusJson['connections'][number] | undefined {
  return (JSON.parse(out.stdout) as StatusJson).connections.find((c) => c.connection === connection);
}

beforeAll(async () => {
  [ghl, salesmsg] = await Promise.all([
    serveSandbox(ghlSandbox, { host: '127.0.0.1', port: 0, seed: 3, size: 3, timeScale: 0 }),
    serveSandbox(salesmsgSandbox, { host: '127.0.0.1', port: 0, seed: 3, size: 3, timeScale: 0 }),
  ]);
  project = createTempProject({
    'ferry.yaml': `store: state/ferry.db
connections:
  crm:
    connector: ghl
    config: { baseUrl: "\${GHL_SANDBOX_URL}", locationId: ${SANDBOX_LOCATION_ID} }
    auth: { kind: oauth2, clientId: ${GHL_CLIENT.clientId}, clientSecret: ${GHL_CLIENT.clientSecret} }
  sm:
    connector: salesmsg
    config: { baseUrl: "\${SALESMSG_SANDBOX_URL}" }
    auth: { kind: oauth2, clientId: ${SALESMSG_CLIENT.clientId}, clientSecret: ${SALESMSG_CLIENT.clientSecret} }
  sm-pat:
    connector: salesmsg
    config: { baseUrl: "\${SALESMSG_SANDBOX_URL}" }
    auth: { kind: bearer }
  source: { connector: csv, config: { path: data/people.csv } }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
`,
    'data/people.csv': 'id,first_name,email,phone\n1,Ada,ada@example.com,(415) 555-0101\n',
    'pipelines/crm-to-warehouse.yaml': 'name: crm-to-warehouse\nfrom: { connection: crm, stream: contacts }\nto: { connection: warehouse, action: upsert, with: { table: crm } }\n',
    'pipelines/sm-to-warehouse.yaml': 'name: sm-to-warehouse\nfrom: { connection: sm, stream: contacts }\nto: { connection: warehouse, action: upsert, with: { table: sm } }\n',
    'pipelines/pat-to-warehouse.yaml': 'name: pat-to-warehouse\nfrom: { connection: sm-pat, stream: contacts }\nto: { connection: warehouse, action: upsert, with: { table: pat } }\n',
  });
});

afterAll(async () => {
  project.remove();
  await Promise.all([ghl.close(), salesmsg.close()]);
});

describe('ferry auth against the GHL sandbox (OAuth 2.0 code flow)', () => {
  it('asks a read-only project for contacts.readonly only, and stores the tokens encrypted', async () => {
    const { url, out, landed } = await authorize(['crm']);
    expect(url.origin).toBe(ghl.url);
    expect(url.pathname).toBe('/v2/oauth/chooselocation');
    expect(url.searchParams.get('scope')).toBe('contacts.readonly');
    expect(url.searchParams.get('client_id')).toBe(GHL_CLIENT.clientId);
    expect(new URL(url.searchParams.get('redirect_uri') ?? '').hostname).toBe('127.0.0.1');
    expect(url.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);
    expect(landed).toBe(200);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/connected crm \(oauth2\)/);
    expect(out.stdout).toContain(`account    ${SANDBOX_LOCATION_ID}`);
    expect(out.stdout).toMatch(/scopes {5}contacts\.readonly\n/);
    expect(out.stdout).toMatch(/expires {4}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in 23 h/);

    const token = storedToken('crm');
    expect(token).toMatchObject({ kind: 'oauth2', account: SANDBOX_LOCATION_ID, scopes: ['contacts.readonly'] });
    const secrets = [token?.accessToken ?? 'missing', token?.refreshToken ?? 'missing'];
    for (const secret of secrets) {
      expect(storeBytes()).not.toContain(secret);
      expect(out.stdout + out.stderr).not.toContain(secret);
    }
  });

  it('refuses a redirect that carries another state, and keeps the stored tokens', async () => {
    const before = storedToken('crm');
    const { out, landed } = await authorize(['crm'], (redirect) => redirect.searchParams.set('state', 'forged-state'));
    expect(landed).toBe(400);
    expect(out.code).toBe(3);
    expect(out.stderr).toMatch(/error: the authorization redirect carried an unexpected state/);
    expect(out.stderr).toMatch(/hint: start `ferry auth` again/);
    expect(storedToken('crm')?.accessToken).toBe(before?.accessToken);
  });

  it('once a pipeline writes: status shows what is missing, and run and plan refuse to start', async () => {
    project.write('pipelines/people-to-crm.yaml', 'name: people-to-crm\nfrom: { connection: source, stream: records }\nto: { connection: crm, action: contacts.upsert }\nmap:\n  firstName: first_name\n  email: { from: email, convert: email }\n  phone: { from: phone, convert: phone-e164 }\n');
    const [json, text, refused, plan] = await Promise.all([
      run(['auth', 'status', 'crm', '--json']),
      run(['auth', 'status']),
      run(['run', 'people-to-crm', '--json']),
      run(['plan', 'people-to-crm']),
    ]);
    expect(json.code, json.stderr).toBe(0);
    expect(status(json, 'crm')).toMatchObject({
      kind: 'oauth2',
      tokenFrom: 'vault',
      account: SANDBOX_LOCATION_ID,
      scopes: ['contacts.readonly'],
      expiresAt: expect.any(String),
      obtainedAt: expect.any(String),
      rotatedAt: null,
      needed: ['contacts.readonly', 'contacts.write'],
      missing: ['contacts.write'],
      writtenBy: ['people-to-crm'],
    });
    expect(text.stdout).toMatch(/^crm {2}oauth2 · stored token$/m);
    expect(text.stdout).toMatch(/missing {4}contacts\.write — run `ferry auth crm` to grant it/);
    expect(text.stdout).toMatch(/^sm-pat {2}bearer · not connected$/m);

    expect(refused.code, refused.stderr).toBe(3);
    const error = (JSON.parse(refused.stdout) as RunJson).runs[0]?.error;
    expect(error).toMatchObject({ code: 'AUTH_MISSING_SCOPE', message: "pipeline 'people-to-crm' needs scope 'contacts.write' on connection 'crm', which its token does not grant" });
    expect(error?.hint).toContain('run `ferry auth crm` to grant it');
    expect(plan.code).toBe(3);
    expect(plan.stderr).toContain("error: pipeline 'people-to-crm' needs scope 'contacts.write'");
    // Refused before reading: the CSV was never turned into a call to the CRM.
    expect(JSON.stringify(ghl.instance.stats())).not.toContain('upsert');
  });

  it('adds contacts.write to the URL when a pipeline writes (and --pipelines narrows it back); then the run goes through', async () => {
    const narrowed = spawnFerry(['auth', 'crm', '--no-browser', '--pipelines', 'crm-to-warehouse'], { cwd: project.dir, env: env() });
    const narrowUrl = await waitFor(() => /^ {2}(http:\/\/\S+)$/m.exec(narrowed.stderr())?.[1], 'the narrowed authorize URL');
    expect(new URL(narrowUrl).searchParams.get('scope')).toBe('contacts.readonly');
    narrowed.child.kill('SIGTERM');
    await narrowed.exited;

    const { url, out } = await authorize(['crm']);
    expect(url.searchParams.get('scope')).toBe('contacts.readonly contacts.write');
    expect(out.code, out.stderr).toBe(0);
    expect(storedToken('crm')?.scopes).toEqual(['contacts.readonly', 'contacts.write']);
    const wrote = await run(['run', 'people-to-crm']);
    expect(wrote.code, wrote.stdout + wrote.stderr).toBe(0);
    expect(wrote.stdout).toMatch(/read 1 · created 1/);
  });

  it('rotate refreshes now, replaces the refresh token and persists the new pair', async () => {
    const before = storedToken('crm');
    const out = await run(['auth', 'rotate', 'crm']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/rotated crm: the refresh token was replaced and stored\n {2}expires {4}\S+ \S+ UTC \(in 23 h/);
    const after = storedToken('crm');
    expect(after?.refreshToken).toBeDefined();
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.rotatedAt).toBeDefined();
    const refresh = (ghl.instance.snapshot() as { tokens: { refresh: { fingerprint: string; spent: boolean }[] } }).tokens.refresh;
    expect(refresh.find((r) => r.fingerprint === tokenFingerprint(before?.refreshToken ?? ''))?.spent).toBe(true);
    expect(refresh.find((r) => r.fingerprint === tokenFingerprint(after?.refreshToken ?? ''))?.spent).toBe(false);
    expect(out.stdout + out.stderr).not.toContain(after?.refreshToken ?? 'missing');
  });

  it('revoke forgets the stored tokens', async () => {
    const out = await run(['auth', 'revoke', 'crm']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^forgot the stored OAuth tokens of crm/);
    expect(storedToken('crm')).toBeUndefined();
  });
});

describe('ferry auth against the Salesmsg sandbox', () => {
  it('runs the code flow on its consent page and rotates at its refresh route', async () => {
    const { url, out } = await authorize(['sm']);
    expect(url.origin + url.pathname).toBe(`${salesmsg.url}/auth/oauth`);
    expect(url.searchParams.get('scope')).toBe('contacts:read tags:read conversations:read messages:read');
    expect(out.code, out.stderr).toBe(0);
    expect(storedToken('sm')?.scopes).toEqual(['contacts:read', 'tags:read', 'conversations:read', 'messages:read']);
    const rotated = await run(['auth', 'rotate', 'sm']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const stats = salesmsg.instance.stats() as { byOperation: Record<string, number> };
    expect(stats.byOperation['oauth.refresh']).toBe(1);
  });

  it('stores a Personal Access Token read from stdin, never from argv, and checks runs against its recorded scopes', async () => {
    const [refusedArgv, stored] = await Promise.all([
      run(['auth', 'sm-pat']),
      runWithStdin(['auth', 'sm-pat', '--token-stdin', '--scopes', 'contacts:read,tags:read,conversations:read,messages:read'], `${SANDBOX_TOKENS.readOnly}\n`),
    ]);
    expect(refusedArgv.code).toBe(2);
    expect(refusedArgv.stderr).toContain('--token-stdin');
    expect(stored.code, stored.stderr).toBe(0);
    expect(stored.stdout).toContain('stored the Personal Access Token of sm-pat');
    expect(stored.stdout + stored.stderr).not.toContain(SANDBOX_TOKENS.readOnly);
    expect(storedToken('sm-pat')).toMatchObject({ kind: 'bearer', accessToken: SANDBOX_TOKENS.readOnly });
    expect(storeBytes()).not.toContain(SANDBOX_TOKENS.readOnly);
    project.write('pipelines/people-to-pat.yaml', 'name: people-to-pat\nfrom: { connection: source, stream: records }\nto: { connection: sm-pat, action: contacts.create }\nmap:\n  first_name: first_name\n  email: email\n  number: { from: phone, convert: phone-e164 }\n');
    const [read, refused] = await Promise.all([run(['run', 'pat-to-warehouse']), run(['run', 'people-to-pat', '--json'])]);
    expect(read.code, read.stdout + read.stderr).toBe(0);
    expect(read.stdout).toMatch(/read 3 · created 3/);
    expect(refused.code).toBe(3);
    expect((JSON.parse(refused.stdout) as RunJson).runs[0]?.error).toMatchObject({ code: 'AUTH_MISSING_SCOPE', message: expect.stringContaining("'contacts:write', 'tags:write' on connection 'sm-pat'") });

    // An older token carries only `public-api`, which grants everything.
    const legacy = await runWithStdin(['auth', 'sm-pat', '--token-stdin', '--scopes', 'public-api'], SANDBOX_TOKENS.legacy);
    expect(legacy.code, legacy.stderr).toBe(0);
    const wrote = await run(['run', 'people-to-pat']);
    expect(wrote.code, wrote.stdout + wrote.stderr).toBe(0);
    expect(wrote.stdout).toMatch(/read 1 · created 1/);
  });
});
