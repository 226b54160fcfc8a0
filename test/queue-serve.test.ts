import { generateKeyPairSync, sign } from 'node:crypto';
import { DistributedLock, connectRedis, openSqliteStore, unitLockResource } from '@ferry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { contactsCsv, fakeContacts } from './support/fake-contacts.js';
import { waitFor, type FerryProcess } from './support/ferry-cli.js';
import {
  QUEUE_TEST_TIMEOUT_MS,
  REDIS_URL,
  killAll,
  logEntries,
  overlappingRuns,
  removeQueueKeys,
  runsOf,
  startQueuedServe,
  startWorker,
  stop,
  uniquePrefix,
} from './support/queue-harness.js';
import { createTempProject, type TempProject } from './support/temp-project.js';
import { warehouseCount, warehouseRows } from './support/warehouse.js';

/**
 * `ferry serve --queue` twice and `ferry worker` twice over one SQLite store and one Redis prefix: schedule ticks
 * and webhook deliveries are processed exactly once, and no unit runs while another process holds its lock.
 */

const CONTACTS = 2_000;
const DELIVERIES = 10;

let project: TempProject | undefined;
let prefix: string | undefined;
const processes: FerryProcess[] = [];

afterEach(async () => {
  await killAll(processes.splice(0));
  if (prefix !== undefined) await removeQueueKeys(prefix);
  prefix = undefined;
  project?.remove();
  project = undefined;
});

function projectFiles(publicKey: string): Record<string, string> {
  return {
    'ferry.yaml': `store: state/ferry.db
connections:
  source: { connector: csv, config: { path: data/contacts.csv, primaryKey: id, pageSize: 200 } }
  ghl:
    connector: ghl
    config: { locationId: loc-1, webhookPublicKey: "${publicKey}" }
    auth: { kind: bearer, token: pit-test-token }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`,
    'data/contacts.csv': contactsCsv(fakeContacts(CONTACTS, 5)),
    'pipelines/scheduled.yaml': `name: scheduled-contacts
on:
  - schedule: "* * * * * *"
from: { connection: source, stream: records, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map:
  id: id
  email: { from: email, convert: email }
`,
    'pipelines/ghl.yaml': `name: ghl-contacts
on:
  - webhook: ghl/ContactCreate
from: { connection: ghl, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: ghl_contacts } }
map:
  id: id
  email: { from: email, convert: email }
`,
  };
}

/** Holds a unit's lock from this process (as a worker running it would) until `release`. */
function holdUnit(lock: DistributedLock, pipeline: string): { readonly held: Promise<void>; release(): Promise<void> } {
  let taken!: () => void;
  let letGo!: () => void;
  const held = new Promise<void>((resolve) => (taken = resolve));
  const released = new Promise<void>((resolve) => (letGo = resolve));
  const holding = lock.run(unitLockResource({ pipeline, partition: '' }), async () => {
    taken();
    await released;
  });
  return {
    held,
    async release() {
      letGo();
      await holding;
    },
  };
}

function inboxRows(storeFile: string, ids: readonly number[]): { status: string; attempts: number }[] {
  const store = openSqliteStore(storeFile, { readonly: true });
  try {
    return ids.map((id) => {
      const row = store.inboxGet(id);
      return { status: row?.status ?? 'missing', attempts: row?.attempts ?? -1 };
    });
  } finally {
    store.close();
  }
}

function inboxDepth(storeFile: string): number {
  const store = openSqliteStore(storeFile, { readonly: true });
  try {
    return store.inboxDepth();
  } finally {
    store.close();
  }
}

describe('ferry serve --queue with ferry workers (child processes, local Redis)', () => {
  it('processes schedule ticks and webhook deliveries exactly once, never doubles a tick, and runs no unit while its lock is held', { timeout: QUEUE_TEST_TIMEOUT_MS }, async () => {
    const keys = generateKeyPairSync('ed25519');
    const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    project = createTempProject(projectFiles(publicKey));
    prefix = uniquePrefix();
    const storeFile = project.path('state/ferry.db');
    const warehouse = project.path('warehouse.db');

    // This process holds both units first: nothing may run until it lets go.
    const redis = await connectRedis(REDIS_URL, { purpose: 'a test' });
    const lock = new DistributedLock({ redis, prefix, ttlMs: 10_000 });
    const scheduledUnit = holdUnit(lock, 'scheduled-contacts');
    const webhookUnit = holdUnit(lock, 'ghl-contacts');
    try {
      await Promise.all([scheduledUnit.held, webhookUnit.held]);

      const serves = [startQueuedServe(project.dir, prefix, project.path('serve-1.log')), startQueuedServe(project.dir, prefix, project.path('serve-2.log'))];
      const workerLogs = [project.path('worker-1.log'), project.path('worker-2.log')];
      const workers = workerLogs.map((log) => startWorker(project?.dir ?? '', prefix ?? '', log));
      processes.push(...serves.map((s) => s.process), ...workers.map((w) => w.process));
      const urls = (await Promise.all(serves.map((s) => s.ready))).map((s) => s.url);
      await Promise.all(workers.map((w) => w.ready));

      // Deliveries go to both serve instances.
      const contactIds = Array.from({ length: DELIVERIES }, (_, i) => `contact-${i}`);
      const statuses = await Promise.all(
        contactIds.map(async (id, i) => {
          const body = Buffer.from(
            JSON.stringify({ type: 'ContactCreate', webhookId: `wh-${i}`, timestamp: new Date().toISOString(), locationId: 'loc-1', id, email: `Person.${i}@Example.com` }),
          );
          const signature = sign(null, body, keys.privateKey).toString('base64');
          const response = await fetch(`${urls[i % urls.length] ?? ''}/webhooks/ghl/ContactCreate`, {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json', 'x-ghl-signature': signature },
          });
          return response.status;
        }),
      );
      expect(statuses).toEqual(contactIds.map(() => 202));

      // Ticks come and deliveries wait, but while the units are held nothing runs.
      await waitFor(() => (workerLogs.flatMap(logEntries).filter((e) => e['msg'] === 'schedule tick').length >= 2 ? true : undefined), 'two schedule ticks', 20_000);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(runsOf(storeFile, 'scheduled-contacts')).toEqual([]);
      expect(runsOf(storeFile, 'ghl-contacts')).toEqual([]);
      expect(inboxDepth(storeFile)).toBe(DELIVERIES);

      const releasedAt = Date.now();
      await Promise.all([scheduledUnit.release(), webhookUnit.release()]);

      await waitFor(() => (warehouseCount(warehouse) === CONTACTS ? true : undefined), 'every csv contact in the warehouse', 30_000);
      await waitFor(() => (warehouseCount(warehouse, 'ghl_contacts') === DELIVERIES && inboxDepth(storeFile) === 0 ? true : undefined), 'every delivery processed', 30_000);
      // A few more ticks from both serve instances.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const stoppingAt = Date.now();
      const ended = await Promise.all(processes.splice(0).map(stop));
      for (const end of ended) expect(end.code, end.stderr).toBe(0);

      // Each tick came once, from either serve, to one worker.
      const ticks = workerLogs.flatMap(logEntries).filter((e) => e['msg'] === 'schedule tick' && e['pipeline'] === 'scheduled-contacts');
      const tickTimes = ticks.map((e) => Date.parse(String(e['tick']))).sort((a, b) => a - b);
      expect(new Set(tickTimes).size).toBe(tickTimes.length);
      expect(tickTimes.length).toBeGreaterThanOrEqual(4);
      const first = tickTimes[0] ?? 0;
      const last = tickTimes.at(-1) ?? 0;
      expect(tickTimes.length).toBeLessThanOrEqual((last - first) / 1_000 + 1);

      // No run while the lock was held elsewhere, and never two runs of one unit at once.
      const scheduledRuns = runsOf(storeFile, 'scheduled-contacts');
      const webhookRuns = runsOf(storeFile, 'ghl-contacts');
      for (const run of [...scheduledRuns, ...webhookRuns]) expect(Date.parse(run.startedAt)).toBeGreaterThanOrEqual(releasedAt);
      expect(overlappingRuns(scheduledRuns)).toEqual([]);
      expect(overlappingRuns(webhookRuns)).toEqual([]);
      // Ticks go on until the workers stop: a run the stop interrupts ends `stopped`, at its checkpoint.
      const interrupted = (run: (typeof scheduledRuns)[number]): boolean => run.status === 'stopped' && Date.parse(run.finishedAt ?? '') >= stoppingAt;
      expect(scheduledRuns.filter((run) => run.trigger !== 'schedule' || (run.status !== 'succeeded' && !interrupted(run)))).toEqual([]);
      expect(webhookRuns.every((run) => run.trigger === 'webhook:ghl/ContactCreate' && run.status === 'succeeded')).toBe(true);

      // Every delivery was processed once: done at its first attempt, its contact written.
      expect(inboxRows(storeFile, contactIds.map((_, i) => i + 1))).toEqual(contactIds.map(() => ({ status: 'done', attempts: 1 })));
      expect(warehouseRows(warehouse, 'ghl_contacts').map((row) => row['id'])).toEqual([...contactIds].sort());
    } finally {
      await Promise.all([scheduledUnit.release(), webhookUnit.release()]);
      redis.disconnect();
    }
  });
});
