import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SalesmsgSandboxInstance } from '@ferry/connector-salesmsg/sandbox';
import { spawnFerry, waitFor, type FerryProcess } from '../support/ferry-cli.js';
import type { TempProject } from '../support/temp-project.js';
import { SALESMSG_WEBHOOK_SECRET, createSyncProject, startSandboxes, syncEnv, type SyncSandboxes } from './support/sync-project.js';
import { readSyncFacts, safetyViolations } from './support/sync-check.js';
import { mulberry32 } from './support/seeded-random.js';

const CONTACTS = 120;
const KILLS = 3;

interface Served {
  readonly url: string;
  readonly webhooks: readonly { readonly path: string }[];
}

/**
 * `ferry serve` SIGKILLed while the Salesmsg sandbox delivers contact.created webhooks: every delivery it
 * acknowledged (2xx) was stored before the answer, so after a restart each one is processed — its contact lands
 * in GHL once, tagged, with its task — and deliveries refused while it was down land when the sender retries.
 */
describe('SIGKILL of ferry serve while webhooks arrive', () => {
  let sandboxes: SyncSandboxes;
  let project: TempProject;
  let env: Record<string, string>;
  let serving: FerryProcess | undefined;

  beforeAll(async () => {
    sandboxes = await startSandboxes({ size: CONTACTS, timeScale: 20 });
    project = createSyncProject({ ghlAuth: 'bearer', webhook: true, concurrency: 4, batchSize: 5 });
    env = syncEnv(sandboxes);
  });
  afterAll(async () => {
    if (serving !== undefined && serving.child.exitCode === null) serving.child.kill('SIGKILL');
    project.remove();
    await sandboxes.close();
  });

  async function serve(port: number): Promise<Served> {
    serving = spawnFerry(['--json', 'serve', '--port', String(port), '--time-scale', '20'], { cwd: project.dir, env, timeoutMs: 120_000 });
    const process = serving;
    return waitFor(
      () => {
        const line = process.stdout().split('\n').find((l) => l.startsWith('{'));
        if (line === undefined && process.child.exitCode !== null) throw new Error(`ferry serve exited: ${process.stderr()}`);
        return line === undefined ? undefined : (JSON.parse(line) as Served);
      },
      'ferry serve to print its URL',
      30_000,
    );
  }

  it(`processes every acknowledged delivery across ${KILLS} kills`, async () => {
    const salesmsg = sandboxes.salesmsg.instance as SalesmsgSandboxInstance;
    const leads = (salesmsg.snapshot() as unknown as { contacts: { id: number; tags: { label?: string }[] }[] }).contacts
      .filter((c) => c.tags.some((t) => t.label === 'lead'))
      .map((c) => c.id);
    const random = mulberry32(99);
    const first = await serve(0);
    const port = Number(new URL(first.url).port);
    const path = first.webhooks.find((w) => w.path.includes('contact.created'))?.path;
    expect(path).toBeDefined();
    const url = `${first.url}/webhooks/salesmsg/contact.created/${SALESMSG_WEBHOOK_SECRET}`;
    const acknowledged = new Set<number>();
    const refused = new Set<number>();
    const perKill = Math.ceil(leads.length / (KILLS + 1));
    for (let kill = 0; kill <= KILLS; kill++) {
      if (kill > 0) await serve(port);
      const batch = leads.slice(kill * perKill, (kill + 1) * perKill);
      const killAfter = Math.floor(batch.length * (0.3 + random() * 0.5));
      const sends = batch.map(async (id, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 15));
        if (i === killAfter && kill < KILLS) serving?.child.kill('SIGKILL');
        const status = await salesmsg.emitWebhook(url, { event: 'contact.created', contactId: id });
        (status >= 200 && status < 300 ? acknowledged : refused).add(id);
      });
      await Promise.all(sends);
      if (kill < KILLS) {
        await serving?.exited;
        expect(safetyViolations(await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, project.path('state/ferry.db')))).toEqual([]);
      }
    }
    // The sender retries what was refused while the service was down.
    for (const id of refused) {
      if (acknowledged.has(id)) continue;
      const status = await salesmsg.emitWebhook(url, { event: 'contact.created', contactId: id });
      expect(status >= 200 && status < 300, `retry answered ${status}`).toBe(true);
    }
    expect(refused.size).toBeGreaterThan(0);
    const everyLead = new Set(leads);
    const storeFile = project.path('state/ferry.db');
    const deadline = Date.now() + 45_000;
    let facts = await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, storeFile);
    while ([...everyLead].some((id) => !facts.links.has(String(id))) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      facts = await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, storeFile);
    }
    serving?.child.kill('SIGTERM');
    await serving?.exited;
    expect([...acknowledged].filter((id) => !facts.links.has(String(id)))).toEqual([]);
    expect([...everyLead].filter((id) => !facts.links.has(String(id)))).toEqual([]);
    expect(safetyViolations(facts)).toEqual([]);
    const tasksPerContact = new Map<string, number>();
    for (const t of facts.tasks) tasksPerContact.set(t.contactId, (tasksPerContact.get(t.contactId) ?? 0) + 1);
    expect(facts.ghlContacts.length).toBe(leads.length);
    expect([...tasksPerContact.values()].every((n) => n === 1)).toBe(true);
    expect(tasksPerContact.size).toBe(leads.length);
  }, 150_000);
});
