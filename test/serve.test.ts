import { generateKeyPairSync, sign } from 'node:crypto';
import { openSqliteStore, type RunRow } from '@ferry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { FIRST_CONTACT_ID, serveSalesmsgSandbox } from '@ferry/connector-salesmsg/sandbox';
import { checkpointOffset, readCheckpoint } from './support/checkpoint-probe.js';
import { contactsCsv, fakeContacts } from './support/fake-contacts.js';
import { spawnFerry, waitFor, type FerryProcess } from './support/ferry-cli.js';
import { createTempProject, type TempProject } from './support/temp-project.js';
import { warehouseCount, warehouseRows } from './support/warehouse.js';

/** `ferry serve` as a child process: schedules, /healthz, /metrics, and a clean drain on SIGTERM. */

interface Served {
  readonly url: string;
  readonly webhooks: { path: string; pipelines: string[] }[];
  readonly schedules: { pipeline: string; cron: string }[];
}

let project: TempProject | undefined;
let serving: FerryProcess | undefined;

afterEach(async () => {
  if (serving !== undefined && serving.child.exitCode === null) {
    serving.child.kill('SIGKILL');
    await serving.exited.catch(() => undefined);
  }
  serving = undefined;
  project?.remove();
  project = undefined;
});

function serve(dir: string): { process: FerryProcess; ready: Promise<Served> } {
  const process = spawnFerry(['--json', 'serve', '--port', '0'], { cwd: dir, timeoutMs: 90_000 });
  serving = process;
  const ready = waitFor(
    () => {
      const line = process.stdout().split('\n').find((l) => l.startsWith('{'));
      if (line === undefined && process.child.exitCode !== null) throw new Error(`ferry serve exited: ${process.stderr()}`);
      return line === undefined ? undefined : (JSON.parse(line) as Served);
    },
    'ferry serve to print its URL',
    30_000,
  );
  return { process, ready };
}

function runs(storeFile: string): RunRow[] {
  const store = openSqliteStore(storeFile, { readonly: true });
  try {
    return store.listRuns();
  } finally {
    store.close();
  }
}

function metric(text: string, name: string, labels: Readonly<Record<string, string>>): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const SALESMSG_SECRET = 'whk-0123456789abcdef';

const SCHEDULED = `name: scheduled-contacts
on:
  - schedule: "* * * * * *"
from: { connection: source, stream: records, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
batchSize: 100
map:
  id: id
  email: { from: email, convert: email }
`;

const PROJECT = `store: state/ferry.db
connections:
  source: { connector: csv, config: { path: data/contacts.csv, primaryKey: id, pageSize: 200 } }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`;

describe('ferry serve (child process)', () => {
  it('runs schedules, answers /healthz and /metrics, drains on SIGTERM (exit 0) and resumes after a restart', async () => {
    const contacts = fakeContacts(30_000, 11);
    project = createTempProject({ 'ferry.yaml': PROJECT, 'data/contacts.csv': contactsCsv(contacts), 'pipelines/scheduled.yaml': SCHEDULED });
    const storeFile = project.path('state/ferry.db');
    const warehouse = project.path('warehouse.db');

    // First process: SIGTERM while the first scheduled run is committing.
    const first = serve(project.dir);
    const served = await first.ready;
    expect(served.schedules).toEqual([{ pipeline: 'scheduled-contacts', cron: '* * * * * *', next: expect.any(String) as string }]);
    expect(served.webhooks).toEqual([]);
    const health = await fetch(`${served.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', inboxDepth: 0 });

    await waitFor(() => (checkpointOffset(readCheckpoint(storeFile, 'scheduled-contacts')) > 0 ? true : undefined), 'a first checkpoint', 30_000);
    first.process.child.kill('SIGTERM');
    const stopped = await first.process.exited;
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stderr).toContain('SIGTERM: stopping');
    expect(stopped.stderr).toContain('stopped cleanly');
    const [interrupted] = runs(storeFile);
    expect(interrupted?.status).toBe('stopped');
    expect(interrupted?.trigger).toBe('schedule');
    const committed = warehouseCount(warehouse);
    expect(committed).toBeLessThan(contacts.length);

    // Second process: the next tick resumes from the checkpoint and finishes the file.
    const second = serve(project.dir);
    const again = await second.ready;
    await waitFor(() => (warehouseCount(warehouse) === contacts.length ? true : undefined), 'every contact in the warehouse', 45_000);
    await waitFor(() => (runs(storeFile).some((run) => run.status === 'succeeded') ? true : undefined), 'a succeeded run', 10_000);
    const metrics = await fetch(`${again.url}/metrics`);
    const text = await metrics.text();
    second.process.child.kill('SIGTERM');
    const done = await second.process.exited;

    expect(done.code, done.stderr).toBe(0);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metric(text, 'ferry_runs_total', { pipeline: 'scheduled-contacts', source: 'schedule', status: 'succeeded' })).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'ferry_records_read_total', { pipeline: 'scheduled-contacts' })).toBeGreaterThan(0);
    expect(text).toContain('ferry_inbox_depth 0');
    const ids = warehouseRows(warehouse).map((row) => String(row['id']));
    expect(new Set(ids).size).toBe(contacts.length);
  });

  it('exits 3 with a hint when the port is taken', async () => {
    project = createTempProject({ 'ferry.yaml': PROJECT, 'data/contacts.csv': contactsCsv(fakeContacts(3, 1)), 'pipelines/scheduled.yaml': SCHEDULED });
    const first = serve(project.dir);
    const { url } = await first.ready;
    const port = new URL(url).port;
    const clash = await spawnFerry(['serve', '--port', port], { cwd: project.dir, timeoutMs: 60_000 }).exited;
    first.process.child.kill('SIGTERM');
    await first.process.exited;

    expect(clash.code).toBe(3);
    expect(clash.stderr).toContain(`port ${port}`);
    expect(clash.stderr).toContain('hint:');
  });

  it('verifies a signed GHL delivery, stores it once, and writes its contact to the warehouse', async () => {
      const keys = generateKeyPairSync('ed25519');
      const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      project = createTempProject({
        'ferry.yaml': `store: state/ferry.db
connections:
  ghl:
    connector: ghl
    config: { locationId: loc-1, webhookPublicKey: "${publicKey}" }
    auth: { kind: bearer, token: pit-test-token }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`,
        'pipelines/ghl.yaml': `name: ghl-contacts-to-warehouse
on:
  - webhook: ghl/ContactCreate
from: { connection: ghl, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map:
  id: id
  email: { from: email, convert: email }
`,
      });
      const { ready, process } = serve(project.dir);
      const { url, webhooks } = await ready;
      expect(webhooks.map((w) => w.path)).toContain('/webhooks/ghl/ContactCreate');
      const body = Buffer.from(
        JSON.stringify({ type: 'ContactCreate', webhookId: 'wh-1', timestamp: new Date().toISOString(), locationId: 'loc-1', id: 'contact-1', email: 'Ada@Example.com' }),
      );
      const signature = sign(null, body, keys.privateKey).toString('base64');
      const post = (sig: string): Promise<Response> =>
        fetch(`${url}/webhooks/ghl/ContactCreate`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-ghl-signature': sig } });

      const forged = await post(sign(null, Buffer.from('{}'), keys.privateKey).toString('base64'));
      const accepted = await post(signature);
      const duplicate = await post(signature);
      await waitFor(() => (warehouseCount(project?.path('warehouse.db') ?? '') === 1 ? true : undefined), 'the contact in the warehouse', 20_000);
      process.child.kill('SIGTERM');
      const done = await process.exited;

      expect(forged.status).toBe(401);
      expect(accepted.status).toBe(202);
      expect(duplicate.status).toBe(200);
      expect(done.code, done.stderr).toBe(0);
      expect(warehouseRows(project.path('warehouse.db')).map((row) => [row['id'], row['email']])).toEqual([['contact-1', 'ada@example.com']]);
  });

  it('takes Salesmsg deliveries sent by its sandbox to the URL with the secret, and refuses the URL without it', async () => {
    const sandbox = await serveSalesmsgSandbox({ seed: 3, size: 5 });
    try {
      project = createTempProject({
        'ferry.yaml': `store: state/ferry.db
connections:
  salesmsg:
    connector: salesmsg
    config: { baseUrl: "${sandbox.baseUrl}", webhookSecret: ${SALESMSG_SECRET} }
    auth: { kind: bearer, token: sandbox-token }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`,
        'pipelines/salesmsg.yaml': `name: salesmsg-contacts-to-warehouse
on:
  - webhook: salesmsg/contact.updated
from: { connection: salesmsg, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map:
  id: id
  first_name: first_name
`,
      });
      const { ready, process } = serve(project.dir);
      const { url } = await ready;
      const hook = `${url}/webhooks/salesmsg/contact.updated`;

      const withoutSecret = await sandbox.sandbox.emitWebhook(hook, { event: 'contact.updated', contactId: FIRST_CONTACT_ID });
      const wrongSecret = await sandbox.sandbox.emitWebhook(`${hook}/not-the-secret-at-all`, { event: 'contact.updated', contactId: FIRST_CONTACT_ID });
      const accepted = await sandbox.sandbox.emitWebhook(`${hook}/${SALESMSG_SECRET}`, { event: 'contact.updated', contactId: FIRST_CONTACT_ID });
      const second = await sandbox.sandbox.emitWebhook(`${hook}/${SALESMSG_SECRET}`, { event: 'contact.updated', contactId: FIRST_CONTACT_ID + 1 });
      const warehouse = project.path('warehouse.db');
      await waitFor(() => (warehouseCount(warehouse) === 2 ? true : undefined), 'both contacts in the warehouse', 20_000);
      process.child.kill('SIGTERM');
      const done = await process.exited;

      expect([withoutSecret, wrongSecret, accepted, second]).toEqual([401, 401, 202, 202]);
      expect(done.code, done.stderr).toBe(0);
      expect(warehouseRows(warehouse).map((row) => Number(row['id']))).toEqual([FIRST_CONTACT_ID, FIRST_CONTACT_ID + 1]);
      expect(done.stdout + done.stderr).not.toContain(SALESMSG_SECRET);
    } finally {
      await sandbox.close();
    }
  });
});
