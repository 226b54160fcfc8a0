import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempProject, type TempProject } from '../support/temp-project.js';
import {
  createFlowProject,
  eventually,
  ghlLocation,
  ghlWrites,
  salesmsgContacts,
  salesmsgEmit,
  salesmsgTag,
  serviceIdle,
  sorted,
  startSandbox,
  type FlowProject,
  type SalesmsgContactState,
  type SandboxProcess,
} from './support/flow-harness.js';

const PIPELINE = 'salesmsg-leads-to-ghl';

function qualifies(contact: SalesmsgContactState): boolean {
  return contact.tags.some((t) => t.label === 'customer') && contact.opt_out !== true && contact.is_blocked !== true && (contact.number !== null || contact.email !== null);
}

/** Every qualifying Salesmsg contact is one GHL contact with the segment tag and exactly one follow-up task. */
async function expectCustomersInGhl(salesmsg: SandboxProcess, ghl: SandboxProcess): Promise<SalesmsgContactState[]> {
  const customers = (await salesmsgContacts(salesmsg)).filter(qualifies);
  const location = await ghlLocation(ghl);
  expect(sorted(location.contacts.map((c) => c.phone))).toEqual(sorted(customers.map((c) => c.number)));
  for (const customer of customers) {
    const contact = location.contacts.find((c) => c.phone === customer.number);
    expect(contact).toMatchObject({ firstName: customer.first_name, source: 'Salesmsg' });
    expect(contact?.tags).toContain('salesmsg-customer');
    const tasks = location.tasks.filter((t) => t.contactId === contact?.id);
    expect(tasks.map((t) => t.title)).toEqual([`Follow up with ${customer.full_name ?? customer.number ?? ''}`]);
  }
  return customers;
}

describe('salesmsg-leads-to-ghl: a Salesmsg contact that becomes a customer becomes a tagged GHL contact with a follow-up task', () => {
  let home: TempProject;
  let salesmsg: SandboxProcess;
  let ghl: SandboxProcess;
  let project: FlowProject;

  beforeAll(async () => {
    home = createTempProject();
    [salesmsg, ghl] = await Promise.all([startSandbox('salesmsg', { seed: 5, size: 20 }, home.dir), startSandbox('ghl', { seed: 1, size: 0 }, home.dir)]);
    project = createFlowProject({ ghl, salesmsg, pipelines: [`${PIPELINE}.yaml`] });
  });
  afterAll(async () => {
    await Promise.all([salesmsg.stop(), ghl.stop()]);
    project.remove();
    home.remove();
  });

  it('by hand: sends the customers (and no one else); a re-run makes no write call', async () => {
    const first = await project.runJson(['run', PIPELINE]);
    const customers = await expectCustomersInGhl(salesmsg, ghl);
    expect(customers.length).toBeGreaterThanOrEqual(2);
    expect(first.runs[0]).toMatchObject({ status: 'succeeded', summary: { created: customers.length, deadLettered: 0 } });

    const writes = ghlWrites(await ghl.stats());
    const again = await project.runJson(['run', PIPELINE, '--full']);
    expect(again.runs[0]?.summary).toMatchObject({ created: 0, updated: 0 });
    expect(ghlWrites(await ghl.stats())).toBe(writes);
  });

  it('webhook: a contact tagged customer is sent once; a repeated delivery and later updates send nothing', async () => {
    const lead = (await salesmsgContacts(salesmsg)).find((c) => !qualifies(c) && c.opt_out !== true && c.is_blocked !== true && c.number !== null);
    if (lead === undefined) throw new Error('the seed has no lead to convert');
    const served = await project.serve();
    try {
      // An update of a contact that is no customer, then of one that already is: nothing to send.
      const before = ghlWrites(await ghl.stats());
      expect(await salesmsgEmit(salesmsg, served.url, 'contact.updated', { contactId: lead.id })).toBe(202);
      const customer = (await salesmsgContacts(salesmsg)).find(qualifies);
      expect(await salesmsgEmit(salesmsg, served.url, 'contact.updated', { contactId: customer?.id ?? 0 })).toBe(202);
      await serviceIdle(served.url);
      expect(project.runs(PIPELINE).filter((r) => r.trigger === 'webhook:salesmsg/contact.updated').length).toBeGreaterThanOrEqual(1);
      expect(ghlWrites(await ghl.stats())).toBe(before);

      await salesmsgTag(salesmsg, lead.id, 'customer');
      expect(await salesmsgEmit(salesmsg, served.url, 'contact.tag_added', { contactId: lead.id })).toBe(202);
      await eventually(async () => ((await ghlLocation(ghl)).contacts.some((c) => c.phone === lead.number) ? true : undefined), 'the new customer in GHL');
      await eventually(async () => ((await ghlLocation(ghl)).tasks.length === (await salesmsgContacts(salesmsg)).filter(qualifies).length ? true : undefined), 'its follow-up task');
      const sent = ghlWrites(await ghl.stats());

      // The same delivery again (same contact, same updated_at: same delivery id): the inbox drops it.
      expect(await salesmsgEmit(salesmsg, served.url, 'contact.tag_added', { contactId: lead.id })).toBe(200);
      // Another event about the contact: it was a customer already when last seen, so it is not sent again.
      expect(await salesmsgEmit(salesmsg, served.url, 'contact.updated', { contactId: lead.id })).toBe(202);
      await serviceIdle(served.url);
      expect(ghlWrites(await ghl.stats())).toBe(sent);
    } finally {
      expect((await served.stop()).code).toBe(0);
    }
    await expectCustomersInGhl(salesmsg, ghl);
  });

  it('schedule: the reconciliation run sends a customer whose webhook was missed', async () => {
    const lead = (await salesmsgContacts(salesmsg)).find((c) => !qualifies(c) && c.opt_out !== true && c.is_blocked !== true && c.number !== null);
    if (lead === undefined) throw new Error('the seed has no second lead to convert');
    await salesmsgTag(salesmsg, lead.id, 'customer');
    project.usePipelines('* * * * * *');
    const served = await project.serve();
    try {
      await eventually(async () => ((await ghlLocation(ghl)).contacts.some((c) => c.phone === lead.number) ? true : undefined), 'the customer in GHL');
      await eventually(async () => (project.runs(PIPELINE).some((r) => r.trigger === 'schedule' && r.status === 'succeeded' && (r.summary?.created ?? 0) > 0) ? true : undefined), 'the scheduled run');
    } finally {
      expect((await served.stop()).code).toBe(0);
      project.usePipelines();
    }
    await expectCustomersInGhl(salesmsg, ghl);
    const writes = ghlWrites(await ghl.stats());
    await project.runJson(['run', PIPELINE]);
    expect(ghlWrites(await ghl.stats())).toBe(writes);
  });
});
