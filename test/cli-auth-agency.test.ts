import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVault, openSqliteStore, parseSecretKey, type StoredToken } from '@ferry/core';
import {
  SANDBOX_APP_ID,
  SANDBOX_COMPANY_ID,
  SANDBOX_OAUTH_CLIENT as CLIENT,
  serveGhlSandbox,
  type GhlSandboxInstance,
  type RecordedRequest,
} from '@ferry/connector-ghl/sandbox';
import { spawnFerry, waitFor, type FerryOutput } from './support/ferry-cli.js';
import { createTempProject, type TempProject } from './support/temp-project.js';

/**
 * `ferry auth` for an agency connection (`partitions: discover`), as a person runs it, in child processes against
 * the GHL sandbox on loopback: the consent page asks for an agency (Company) token, the run discovers the
 * locations with it and reads each with a location token, and an expired agency token is refreshed as a Company
 * token. The test plays the browser: it opens the printed authorize URL and follows the redirect to the listener.
 */

const SECRET_KEY = randomBytes(32).toString('base64');
const SIZE = 4;
const LOCATIONS = ['sbxLocation000000001', 'sbxLocation000000002', 'sbxLocation000000003'];
/** The app is not installed here: discovery leaves it out. */
const UNINSTALLED = 'sbxLocation000000003';
const INSTALLED = LOCATIONS.filter((id) => id !== UNINSTALLED);

interface RunJson {
  runs: { partition?: string; status: string; summary: Record<string, number>; error: { code: string; message: string; hint?: string } | null }[];
}

interface StatusJson {
  connections: {
    connection: string;
    account: string | null;
    scopes: string[] | null;
    forPartitions: boolean | null;
    needed: string[];
    missing: string[] | null;
    refused: { message: string; hint?: string } | null;
  }[];
}

let served: { url: string; sandbox: GhlSandboxInstance; close(): Promise<void> };
let project: TempProject;

const env = (): Record<string, string> => ({ GHL_SANDBOX_URL: served.url, FERRY_SECRET_KEY: SECRET_KEY });
const ferry = (args: readonly string[]): Promise<FerryOutput> => spawnFerry(args, { cwd: project.dir, env: env() }).exited;

/** Starts `ferry auth <connection>`, waits for the printed authorize URL, plays the browser. */
async function authorize(connection: string): Promise<{ url: URL; out: FerryOutput }> {
  const child = spawnFerry(['auth', connection, '--no-browser'], { cwd: project.dir, env: env() });
  const printed = await waitFor(() => /^ {2}(http:\/\/127\.0\.0\.1:\d+\/\S+)$/m.exec(child.stderr())?.[1], `the authorize URL of ferry auth ${connection}`);
  const consent = await fetch(printed, { redirect: 'manual' });
  expect(consent.status).toBe(302);
  const landing = await fetch(consent.headers.get('location') ?? '');
  expect(landing.status).toBe(200);
  await landing.text();
  return { url: new URL(printed), out: await child.exited };
}

/** The token as a later process reads it: a fresh store and vault over the file. */
function storedToken(connection: string): StoredToken | undefined {
  const store = openSqliteStore(project.path('state/ferry.db'));
  try {
    return createTokenVault({ store, key: parseSecretKey(SECRET_KEY, 'test key') }).get(connection);
  } finally {
    store.close();
  }
}

/** The token grants the CLI posted, oldest first. */
function tokenGrants(): Record<string, string>[] {
  return served.sandbox
    .requests()
    .filter((request: RecordedRequest) => request.operationId === 'get-access-token')
    .map((request) => (request.body ?? {}) as Record<string, string>);
}

function warehouseRows(table: string): { id: string; locationId: string }[] {
  const db = new Database(project.path('warehouse.db'), { readonly: true });
  try {
    return db.prepare(`SELECT id, locationId FROM ${table} ORDER BY id`).all() as { id: string; locationId: string }[];
  } finally {
    db.close();
  }
}

function ferryYaml(legacyPartitions: string): string {
  const ghl = (config: string) => `connector: ghl
    config: { baseUrl: "\${GHL_SANDBOX_URL}", ${config} }
    auth: { kind: oauth2, clientId: ${CLIENT.clientId}, clientSecret: ${CLIENT.clientSecret} }`;
  return `store: state/ferry.db
connections:
  agency:
    ${ghl(`companyId: ${SANDBOX_COMPANY_ID}, appId: ${SANDBOX_APP_ID}`)}
    partitions: discover
  legacy:
    ${ghl(`locationId: ${LOCATIONS[0] ?? ''}, companyId: ${SANDBOX_COMPANY_ID}, appId: ${SANDBOX_APP_ID}`)}
${legacyPartitions}
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`;
}

function pipeline(name: string, connection: string): string {
  return `name: ${name}
from: { connection: ${connection}, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: ${connection} } }
map:
  id: id
  locationId: locationId
`;
}

beforeAll(async () => {
  served = await serveGhlSandbox({
    host: '127.0.0.1',
    port: 0,
    seed: 5,
    size: SIZE,
    timeScale: 0,
    extra: { locations: LOCATIONS, uninstalledLocations: [UNINSTALLED], recordRequests: true },
  });
  project = createTempProject({
    'ferry.yaml': ferryYaml(''),
    'pipelines/agency.yaml': pipeline('agency-contacts', 'agency'),
    'pipelines/legacy.yaml': pipeline('legacy-contacts', 'legacy'),
  });
});

afterAll(async () => {
  project.remove();
  await served.close();
});

// Several CLI processes per test: generous time on a shared, busy machine.
describe('ferry auth for a partitions: discover connection (agency token, GHL sandbox)', { timeout: 120_000 }, () => {
  it('asks for an agency (Company) token with the pipelines\' scopes plus oauth.readonly and oauth.write, and stores it', async () => {
    // `legacy` reads one location for now: a location token, as before.
    const [{ url, out }, legacy] = await Promise.all([authorize('agency'), authorize('legacy')]);
    expect(out.code, out.stderr).toBe(0);
    expect(url.searchParams.get('scope')).toBe('contacts.readonly oauth.readonly oauth.write');
    expect(out.stderr).toContain("asking 'agency' for: contacts.readonly oauth.readonly oauth.write  (read by agency-contacts; partitions: discover, as agency (Company) token)");
    expect(out.stdout).toContain('connected agency (oauth2)');
    expect(out.stdout).toContain('grant      agency (Company) token, to discover the partitions');
    expect(out.stdout).toContain(`account    ${SANDBOX_COMPANY_ID}`);
    expect(storedToken('agency')).toMatchObject({
      kind: 'oauth2',
      forPartitions: true,
      account: SANDBOX_COMPANY_ID,
      scopes: ['contacts.readonly', 'oauth.readonly', 'oauth.write'],
    });

    expect(legacy.out.code, legacy.out.stderr).toBe(0);
    expect(legacy.url.searchParams.get('scope')).toBe('contacts.readonly');
    expect(storedToken('legacy')).toMatchObject({ account: LOCATIONS[0], scopes: ['contacts.readonly'] });
    expect(storedToken('legacy')?.forPartitions).toBeUndefined();
    expect(
      tokenGrants()
        .map((form) => `${form['grant_type'] ?? ''} ${form['user_type'] ?? ''}`)
        .sort((a, b) => a.localeCompare(b)),
    ).toEqual(['authorization_code Company', 'authorization_code Location']);
  });

  it('runs the discover-partitioned pipeline with it over the installed locations, refreshing it as a Company token when refused', async () => {
    const before = storedToken('agency');
    const grantsBefore = tokenGrants().length;
    // A day and more later on the API's clock: the stored access token is refused, its refresh token still works.
    served.sandbox.advanceClock(2 * 86_400_000);
    const out = await ferry(['--json', 'run', 'agency-contacts']);
    expect(out.code, out.stderr).toBe(0);
    const { runs } = JSON.parse(out.stdout) as RunJson;
    expect(runs.map((run) => `${run.partition ?? ''} ${run.status}`).sort((a, b) => a.localeCompare(b))).toEqual(INSTALLED.map((id) => `${id} succeeded`));
    expect(runs.every((run) => run.summary['read'] === SIZE)).toBe(true);
    const rows = warehouseRows('agency');
    expect(rows).toHaveLength(INSTALLED.length * SIZE);
    expect(new Set(rows.map((row) => row.locationId))).toEqual(new Set(INSTALLED));

    expect(tokenGrants().slice(grantsBefore)).toEqual([expect.objectContaining({ grant_type: 'refresh_token', user_type: 'Company' })]);
    const after = storedToken('agency');
    expect(after).toMatchObject({ forPartitions: true, account: SANDBOX_COMPANY_ID, rotatedAt: expect.any(String) });
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
  });

  it('refuses a location token once a connection discovers its partitions, and says to run ferry auth again', async () => {
    project.write('ferry.yaml', ferryYaml('    partitions: discover'));
    const [refused, status, text] = await Promise.all([
      ferry(['--json', 'run', 'legacy-contacts']),
      ferry(['--json', 'auth', 'status', 'legacy']),
      ferry(['auth', 'status']),
    ]);
    expect(refused.code).toBe(3);
    const error = (JSON.parse(refused.stdout) as RunJson).runs[0]?.error;
    expect(error?.code).toBe('AUTH_PARTITIONS_GRANT');
    expect(error?.message).toBe(
      `connection 'legacy' discovers its partitions (\`partitions: discover\`) and needs an agency (Company) token, but its stored token was granted for account ${LOCATIONS[0] ?? ''}`,
    );
    expect(error?.hint).toBe('run `ferry auth legacy` again: for a `partitions: discover` connection it asks for an agency (Company) token with oauth.readonly oauth.write');

    expect(status.code, status.stderr).toBe(0);
    expect((JSON.parse(status.stdout) as StatusJson).connections[0]).toMatchObject({
      connection: 'legacy',
      forPartitions: false,
      needed: ['contacts.readonly', 'oauth.readonly', 'oauth.write'],
      missing: ['oauth.readonly', 'oauth.write'],
      refused: { message: error?.message, hint: error?.hint },
    });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`account    ${SANDBOX_COMPANY_ID} (the account whose partitions it discovers)`);
    expect(text.stdout).toMatch(/^ {2}missing {4}oauth\.readonly oauth\.write — run `ferry auth legacy` to grant it$/m);
    expect(text.stdout).toContain(`  refused    ${error?.message ?? ''}`);
    expect(text.stdout).toContain(`  fix        ${error?.hint ?? ''}`);
  });
});
