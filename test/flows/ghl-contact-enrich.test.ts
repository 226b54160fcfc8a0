import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../support/checkpoint-probe.js';
import { createTempProject, type TempProject } from '../support/temp-project.js';
import { warehouseRows } from '../support/warehouse.js';
import {
  createFlowProject,
  eventually,
  ghlApi,
  ghlLocation,
  ghlRouteCount,
  ghlSigner,
  ghlWrites,
  postGhlEvent,
  sorted,
  startSandbox,
  type FlowProject,
  type GhlLocationState,
  type SandboxProcess,
} from './support/flow-harness.js';

const PIPELINE = 'ghl-contact-enrich';

function byId<T extends Record<string, unknown>>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((row) => [String(row['id']), row]));
}

/** The warehouse holds exactly the sandbox's contacts, tasks (with their completion), notes, appointments and tags. */
function expectWarehouseMirrors(project: FlowProject, ghl: GhlLocationState): void {
  const file = project.warehouseFile;
  expect(sorted(warehouseRows(file, 'contacts').map((row) => row['id']))).toEqual(sorted(ghl.contacts.map((c) => c.id)));
  const tasks = byId(warehouseRows(file, 'tasks'));
  expect(sorted(tasks.keys())).toEqual(sorted(ghl.tasks.map((t) => t.id)));
  for (const task of ghl.tasks) {
    expect(tasks.get(task.id)).toMatchObject({ contact_id: task.contactId, title: task.title, completed: task.completed === true ? 1 : 0 });
  }
  expect(sorted(warehouseRows(file, 'notes').map((row) => row['id']))).toEqual(sorted(ghl.notes.map((n) => n['id'])));
  expect(sorted(warehouseRows(file, 'appointments').map((row) => row['id']))).toEqual(sorted(ghl.appointments.map((a) => a['id'])));
  const tags = ghl.contacts.flatMap((c) => (c.tags ?? []).map((tag) => `${c.id}:${tag}`));
  expect(sorted(warehouseRows(file, 'contact_tags').map((row) => row['id']))).toEqual(sorted(tags));
}

describe('ghl-contact-enrich: GHL contacts with tasks, notes, appointments and tags in the warehouse', () => {
  let home: TempProject;
  let ghl: SandboxProcess;
  let project: FlowProject;
  const signer = ghlSigner();

  beforeAll(async () => {
    home = createTempProject();
    ghl = await startSandbox('ghl', { seed: 3, size: 6 }, home.dir);
    project = createFlowProject({ ghl, signer, pipelines: [`${PIPELINE}.yaml`] });
  });
  afterAll(async () => {
    await ghl.stop();
    project.remove();
    home.remove();
  });

  it('by hand: materialises every contact with its related records; a second run writes nothing', async () => {
    const first = await project.runJson(['run', PIPELINE]);
    const contacts = (await ghlLocation(ghl)).contacts.length;
    expect(first.runs[0]).toMatchObject({ status: 'succeeded', summary: { read: contacts, deadLettered: 0 } });
    expectWarehouseMirrors(project, await ghlLocation(ghl));

    const again = await project.runJson(['run', PIPELINE, '--full']);
    expect(again.runs[0]?.summary).toMatchObject({ read: contacts, created: 0, updated: 0, deleted: 0 });
    expect(ghlWrites(await ghl.stats())).toBe(0);
  });

  it('by id (--param contactId): updates changed tasks, marks completed ones, removes deleted ones; checkpoint untouched', async () => {
    const before = await ghlLocation(ghl);
    const contact = before.contacts.find((c) => before.tasks.filter((t) => t.contactId === c.id).length >= 2);
    if (contact === undefined) throw new Error('the seed has no contact with two tasks');
    const [kept, gone] = before.tasks.filter((t) => t.contactId === contact.id);
    if (kept === undefined || gone === undefined) throw new Error('unreachable');
    await ghlApi(ghl, 'PUT', `/contacts/${contact.id}/tasks/${kept.id}/completed`, { completed: kept.completed !== true });
    await ghlApi(ghl, 'PUT', `/contacts/${contact.id}/tasks/${kept.id}`, { title: 'Call back about the renewal' });
    await ghlApi(ghl, 'DELETE', `/contacts/${contact.id}/tasks/${gone.id}`);
    const added = (await ghlApi(ghl, 'POST', `/contacts/${contact.id}/tasks`, { title: 'Send the contract', dueDate: '2030-01-01T10:00:00Z', completed: false }))['task'] as { id: string };
    const checkpoint = readCheckpoint(project.storeFile, PIPELINE, 'contacts');

    const run = await project.runJson(['run', PIPELINE, '--param', `contactId=${contact.id}`]);
    expect(run.runs[0]).toMatchObject({ status: 'succeeded', summary: { read: 1, created: 1, updated: 1, deleted: 1 } });
    const tasks = byId(warehouseRows(project.warehouseFile, 'tasks'));
    expect(tasks.get(kept.id)).toMatchObject({ title: 'Call back about the renewal', completed: kept.completed === true ? 0 : 1 });
    expect(tasks.has(gone.id)).toBe(false);
    expect(tasks.get(added.id)).toMatchObject({ contact_id: contact.id, title: 'Send the contract', completed: 0 });
    expectWarehouseMirrors(project, await ghlLocation(ghl));
    expect(readCheckpoint(project.storeFile, PIPELINE, 'contacts')?.state).toEqual(checkpoint?.state);
  });

  it('webhook ContactCreate: a signed delivery enriches the new contact once; a repeat delivery changes nothing', async () => {
    const created = (await ghlApi(ghl, 'POST', '/contacts/', {
      locationId: 'sbxLocation000000001',
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace.hopper@example.com',
      phone: '+14155550999',
      tags: ['navy'],
    }))['contact'] as { id: string; dateAdded: string };
    await ghlApi(ghl, 'POST', `/contacts/${created.id}/tasks`, { title: 'Welcome call', dueDate: '2030-02-01T09:00:00Z', completed: false });
    await ghlApi(ghl, 'POST', `/contacts/${created.id}/notes`, { body: 'Met at the conference' });

    const served = await project.serve();
    try {
      const event = { type: 'ContactCreate', webhookId: 'wh-create-grace', id: created.id, firstName: 'Grace', lastName: 'Hopper', email: 'grace.hopper@example.com', phone: '+14155550999', tags: ['navy'], dateAdded: created.dateAdded };
      const forged = await postGhlEvent(served.url, { publicKey: '', sign: () => signer.sign(Buffer.from('{}')) }, event);
      expect(forged).toBe(401);
      expect(await postGhlEvent(served.url, signer, event)).toBe(202);
      await eventually(async () => (warehouseRows(project.warehouseFile, 'notes').some((n) => n['contact_id'] === created.id) ? true : undefined), 'the new contact enriched');
      const runs = project.runs(PIPELINE).filter((run) => run.trigger === 'webhook:ghl/ContactCreate');
      expect(runs).toHaveLength(1);
      const reads = ghlRouteCount(await ghl.stats(), 'GET /contacts/{contactId}/tasks');

      expect(await postGhlEvent(served.url, signer, event)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(project.runs(PIPELINE).filter((run) => run.trigger === 'webhook:ghl/ContactCreate')).toHaveLength(1);
      expect(ghlRouteCount(await ghl.stats(), 'GET /contacts/{contactId}/tasks')).toBe(reads);
    } finally {
      expect((await served.stop()).code).toBe(0);
    }
    expect(warehouseRows(project.warehouseFile, 'contacts').find((c) => c['id'] === created.id)).toMatchObject({ first_name: 'Grace', email: 'grace.hopper@example.com' });
    expect(warehouseRows(project.warehouseFile, 'tasks').filter((t) => t['contact_id'] === created.id).map((t) => t['title'])).toEqual(['Welcome call']);
    expect(warehouseRows(project.warehouseFile, 'contact_tags').filter((t) => t['contact_id'] === created.id).map((t) => t['tag'])).toEqual(['navy']);
  });

  it('schedule: an incremental run picks up a contact changed in GHL, with its related records', async () => {
    const { contacts } = await ghlLocation(ghl);
    const target = contacts[0];
    if (target === undefined) throw new Error('no contact');
    await ghlApi(ghl, 'PUT', `/contacts/${target.id}`, { firstName: 'Ada', tags: ['vip'] });
    project.usePipelines('* * * * * *');
    const served = await project.serve();
    try {
      await eventually(
        async () => (warehouseRows(project.warehouseFile, 'contacts').find((c) => c['id'] === target.id)?.['first_name'] === 'Ada' ? true : undefined),
        'the scheduled run to write the change',
      );
      await eventually(async () => (project.runs(PIPELINE).some((run) => run.trigger === 'schedule' && run.status === 'succeeded') ? true : undefined), 'a finished scheduled run');
    } finally {
      expect((await served.stop()).code).toBe(0);
      project.usePipelines();
    }
    expect(warehouseRows(project.warehouseFile, 'contact_tags').filter((t) => t['contact_id'] === target.id).map((t) => t['tag'])).toContain('vip');
    expectWarehouseMirrors(project, await ghlLocation(ghl));
  });
});
