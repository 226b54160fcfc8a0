import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { Pool } from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, serveSandbox, type RunRow, type ServedSandbox } from '@ferry/core';
import { ghlSandbox, sandboxAgencyToken, sandboxTokens, SANDBOX_APP_ID, SANDBOX_COMPANY_ID } from '@ferry/connector-ghl/sandbox';
import { spawnFerry, waitFor, type FerryProcess } from './support/ferry-cli.js';
import { killAll, logEntries, readyLine, removeQueueKeys, startQueuedServe, startWorker, stop, uniquePrefix } from './support/queue-harness.js';
import { createTempProject, type TempProject } from './support/temp-project.js';

/**
 * Webhook deliveries of partitioned GHL connections reach the run of their location's partition — in `ferry serve`
 * and in `ferry serve --queue` with a `ferry worker` — for a connection that lists its locations and for an agency
 * connection that discovers them. A location the project does not list is skipped; one not (yet) discovered fails
 * and waits for the next discovery. The destination is PostgreSQL: partitions run side by side (in the worker), and
 * a SQLite file takes one writer at a time.
 */

const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';

const [DOWNTOWN, UPTOWN, SUBURB, UNINSTALLED] = [1, 2, 3, 4].map((n) => `sbxLocation00000000${n}`) as [string, string, string, string];
const keys = generateKeyPairSync('ed25519');
const PUBLIC_KEY = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

let sandbox: ServedSandbox;
let project: TempProject | undefined;
let prefix: string | undefined;
let schema: string | undefined;
const processes: FerryProcess[] = [];
const pg = new Pool({ connectionString: PG_URL, max: 1 });

beforeAll(async () => {
  sandbox = await serveSandbox(ghlSandbox, {
    host: '127.0.0.1',
    port: 0,
    seed: 3,
    size: 2,
    extra: { locations: [DOWNTOWN, UPTOWN, SUBURB, UNINSTALLED], uninstalledLocations: [UNINSTALLED] },
  });
});
afterAll(async () => {
  await sandbox.close();
  await pg.end();
});
afterEach(async () => {
  await killAll(processes.splice(0));
  if (prefix !== undefined) await removeQueueKeys(prefix);
  prefix = undefined;
  if (schema !== undefined) await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  schema = undefined;
  project?.remove();
  project = undefined;
});

/**
 * `crm` lists two of the agency's locations (under ids of its own); `agency` discovers where the app is installed;
 * the warehouse is a schema of this test's own.
 */
function projectFiles(): Record<string, string> {
  schema = `ferry_webhook_partitions_${process.pid}_${randomBytes(3).toString('hex')}`;
  const listed = [
    ['downtown', DOWNTOWN],
    ['uptown', UPTOWN],
  ]
    .map(([id, location]) => `      - { id: ${id}, config: { locationId: ${location} }, auth: { token: ${sandboxTokens(location ?? '').full} } }`)
    .join('\n');
  const pipeline = (name: string, connection: string, table: string) => `name: ${name}
on:
  - webhook: ${connection}/ContactCreate
from: { connection: ${connection}, stream: contacts }
to: { connection: warehouse, action: upsert, with: { table: ${table} } }
map:
  id: id
  location: locationId
  email: email
`;
  return {
    'ferry.yaml': `store: state/ferry.db
connections:
  crm:
    connector: ghl
    config: { baseUrl: "${sandbox.url}", webhookPublicKey: "${PUBLIC_KEY}" }
    partitions:
${listed}
  agency:
    connector: ghl
    config: { baseUrl: "${sandbox.url}", companyId: ${SANDBOX_COMPANY_ID}, appId: ${SANDBOX_APP_ID}, webhookPublicKey: "${PUBLIC_KEY}" }
    auth: { token: "${sandboxAgencyToken()}" }
    partitions: discover
  warehouse: { connector: postgres, config: { url: "${PG_URL}", schema: ${schema} } }
pipelines: [pipelines/*.yaml]
`,
    'pipelines/crm.yaml': pipeline('crm-contacts', 'crm', 'crm_contacts'),
    'pipelines/agency.yaml': pipeline('agency-contacts', 'agency', 'agency_contacts'),
  };
}

/** Posts a signed ContactCreate of `location` to `path` (per trigger, or the connection-wide URL). */
async function deliver(url: string, path: string, location: string, contact: string): Promise<number> {
  const body = Buffer.from(
    JSON.stringify({ type: 'ContactCreate', webhookId: randomUUID(), timestamp: new Date().toISOString(), locationId: location, id: contact, email: `${contact}@example.com` }),
  );
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-ghl-signature': sign(null, body, keys.privateKey).toString('base64') },
  });
  return response.status;
}

interface Inbox {
  readonly status: string;
  readonly attempts: number;
  readonly lastError: string | undefined;
}

function readStore<T>(file: string, read: (store: ReturnType<typeof openSqliteStore>) => T): T {
  const store = openSqliteStore(file, { readonly: true });
  try {
    return read(store);
  } finally {
    store.close();
  }
}

const inboxRows = (file: string, count: number): Inbox[] =>
  readStore(file, (store) =>
    Array.from({ length: count }, (_, i) => {
      const row = store.inboxGet(i + 1);
      return { status: row?.status ?? 'missing', attempts: row?.attempts ?? 0, lastError: row?.lastError };
    }),
  );
const runsOf = (file: string, pipeline: string): RunRow[] => readStore(file, (store) => store.listRuns({ pipeline }));
async function rowsOf(table: string): Promise<[string, string][]> {
  const { rows } = await pg.query<{ id: string; location: string }>(`SELECT id, location FROM "${schema ?? ''}".${table} ORDER BY id`);
  return rows.map((row) => [row.id, row.location]);
}

/** Seven deliveries, in this order (their inbox ids are 1 to 7), and what each must come to. */
async function deliverAll(url: string): Promise<void> {
  const statuses = [
    await deliver(url, '/webhooks/crm/ContactCreate', DOWNTOWN, 'c-downtown'),
    await deliver(url, '/webhooks/crm', UPTOWN, 'c-uptown'),
    await deliver(url, '/webhooks/crm/ContactCreate', SUBURB, 'c-suburb'),
    await deliver(url, '/webhooks/agency/ContactCreate', DOWNTOWN, 'a-downtown'),
    await deliver(url, '/webhooks/agency', SUBURB, 'a-suburb'),
    await deliver(url, '/webhooks/agency/ContactCreate', UNINSTALLED, 'a-uninstalled'),
    await deliver(url, '/webhooks/crm/ContactCreate', UPTOWN, 'c-uptown-2'),
  ];
  expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 202]);
}

/** Waits until every delivery but the uninstalled location's is done, and that one has failed once. */
async function settled(storeFile: string): Promise<Inbox[]> {
  return waitFor(
    () => {
      const rows = inboxRows(storeFile, 7);
      const others = rows.filter((_, i) => i !== 5);
      return others.every((row) => row.status === 'done') && rows[5]?.status === 'failed' ? rows : undefined;
    },
    'every delivery processed',
    25_000,
    50,
  );
}

async function expectRouted(storeFile: string, inbox: readonly Inbox[]): Promise<void> {
  // The listed connection: each location's delivery ran in the partition that lists it; SUBURB is not listed.
  const crmRuns = runsOf(storeFile, 'crm-contacts');
  expect(crmRuns.filter((run) => run.status !== 'succeeded' || run.trigger !== 'webhook:crm/ContactCreate')).toEqual([]);
  expect(new Set(crmRuns.map((run) => run.partition))).toEqual(new Set(['downtown', 'uptown']));
  expect(crmRuns.reduce((sum, run) => sum + (run.summary?.read ?? 0), 0)).toBe(3);
  expect(await rowsOf('crm_contacts')).toEqual([
    ['c-downtown', DOWNTOWN],
    ['c-uptown', UPTOWN],
    ['c-uptown-2', UPTOWN],
  ]);
  // The agency: discovered partitions are the installed locations themselves.
  const agencyRuns = runsOf(storeFile, 'agency-contacts');
  expect(agencyRuns.map((run) => [run.partition, run.status, run.summary?.read]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
    [DOWNTOWN, 'succeeded', 1],
    [SUBURB, 'succeeded', 1],
  ]);
  expect(await rowsOf('agency_contacts')).toEqual([
    ['a-downtown', DOWNTOWN],
    ['a-suburb', SUBURB],
  ]);
  // SUBURB on crm is skipped (done at once, no run); the uninstalled location waits for a discovery that has it.
  expect(inbox[2]).toEqual({ status: 'done', attempts: 1, lastError: undefined });
  expect(inbox[5]).toMatchObject({ status: 'failed', attempts: 1 });
  expect(inbox[5]?.lastError).toMatch(new RegExp(`^PARTITION_UNKNOWN: .*connection 'agency'.*'${UNINSTALLED}'`));
}

function expectSkipLogged(logFile: string): void {
  const skipped = logEntries(logFile).filter((entry) => entry['level'] === 40 && String(entry['msg']).startsWith('delivery skipped'));
  expect(skipped).toEqual([expect.objectContaining({ connection: 'crm', partitionKey: SUBURB })]);
  expect(String(skipped[0]?.['msg'])).toContain(`'${SUBURB}' is not a partition of connection 'crm'`);
}

describe('webhooks of partitioned GHL connections reach their location\'s partition (child processes, GHL sandbox, SQLite store, PostgreSQL warehouse)', () => {
  it('ferry serve: listed and discovered partitions, a location not listed skipped, one not discovered retried', { timeout: 60_000 }, async () => {
    project = createTempProject(projectFiles());
    const logFile = project.path('serve.log');
    const serving = spawnFerry(['--json', '--log-file', logFile, '--log-level', 'info', 'serve', '--port', '0'], { cwd: project.dir, timeoutMs: 60_000 });
    processes.push(serving);
    const { url } = await readyLine<{ url: string }>(serving, 'ferry serve to start', 30_000);

    await deliverAll(url);
    const inbox = await settled(project.path('state/ferry.db'));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const ended = await stop(serving);
    expect(ended.code, ended.stderr).toBe(0);

    await expectRouted(project.path('state/ferry.db'), inbox);
    expectSkipLogged(logFile);
    expect(metrics).toContain('ferry_inbox_processed_total{connection="crm",trigger="ContactCreate",result="skipped"} 1');
    expect(metrics).toContain('ferry_inbox_processed_total{connection="agency",trigger="ContactCreate",result="retried"} 1');
  });

  it('ferry serve --queue and ferry worker: each delivery runs its partition\'s unit', { timeout: 60_000 }, async () => {
    project = createTempProject(projectFiles());
    prefix = uniquePrefix();
    const serve = startQueuedServe(project.dir, prefix, project.path('serve.log'));
    const worker = startWorker(project.dir, prefix, project.path('worker.log'));
    processes.push(serve.process, worker.process);
    const [{ url }] = await Promise.all([serve.ready, worker.ready]);

    await deliverAll(url);
    const inbox = await settled(project.path('state/ferry.db'));
    const ended = await Promise.all(processes.splice(0).map(stop));
    for (const end of ended) expect(end.code, end.stderr).toBe(0);

    await expectRouted(project.path('state/ferry.db'), inbox);
    expectSkipLogged(project.path('worker.log'));
  });
});
