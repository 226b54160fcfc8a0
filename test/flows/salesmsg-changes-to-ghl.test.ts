import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempProject, type TempProject } from '../support/temp-project.js';
import {
  createFlowProject,
  eventually,
  ghlApi,
  ghlLocation,
  ghlRouteCount,
  ghlSigner,
  ghlWrites,
  postGhlEvent,
  salesmsgApi,
  salesmsgContacts,
  salesmsgEmit,
  salesmsgTag,
  serviceIdle,
  startSandbox,
  type FlowProject,
  type GhlContactState,
  type GhlTaskState,
  type SalesmsgContactState,
  type SandboxProcess,
} from './support/flow-harness.js';

const PIPELINES = [
  'salesmsg-leads-to-ghl.yaml',
  'salesmsg-changes-to-ghl.yaml',
  'salesmsg-replies-complete-tasks.yaml',
  'salesmsg-closed-conversations-complete-tasks.yaml',
  'salesmsg-optouts-delete-tasks.yaml',
  'ghl-changes-to-salesmsg.yaml',
];

interface Conversation {
  readonly id: number;
  readonly contact_id: number;
  readonly is_open: boolean;
}

function salesmsgUpdates(stats: Record<string, unknown>): number {
  return ((stats['byOperation'] ?? {}) as Record<string, number>)['contacts.update'] ?? 0;
}

describe('Salesmsg changes to GHL: contact updates, replies and closed conversations complete tasks, opt-outs delete them, echoes skipped', () => {
  let home: TempProject;
  let salesmsg: SandboxProcess;
  let ghl: SandboxProcess;
  let project: FlowProject;
  const signer = ghlSigner();
  /** Salesmsg customers, in the order the tests use them. */
  let customers: SalesmsgContactState[];
  let closedConversation: Conversation;

  const ghlContactOf = async (customer: SalesmsgContactState): Promise<GhlContactState> => {
    const found = (await ghlLocation(ghl)).contacts.find((c) => c.phone === customer.number);
    if (found === undefined) throw new Error(`no GHL contact for ${customer.id}`);
    return found;
  };
  const followUpOf = async (customer: SalesmsgContactState): Promise<GhlTaskState | undefined> => {
    const contact = await ghlContactOf(customer);
    return (await ghlLocation(ghl)).tasks.find((t) => t.contactId === contact.id && t.title?.startsWith('Follow up with') === true);
  };

  beforeAll(async () => {
    home = createTempProject();
    [salesmsg, ghl] = await Promise.all([startSandbox('salesmsg', { seed: 5, size: 20 }, home.dir), startSandbox('ghl', { seed: 1, size: 0 }, home.dir)]);
    project = createFlowProject({ ghl, salesmsg, signer, pipelines: PIPELINES });
    // A reachable contact with a closed conversation becomes a customer too, for the closed-conversation flow.
    const contacts = await salesmsgContacts(salesmsg);
    const reachable = (c: SalesmsgContactState): boolean => c.opt_out !== true && c.is_blocked !== true && c.number !== null;
    const conversations = (await salesmsg.state())['conversations'] as Conversation[];
    const closed = conversations.find((cv) => !cv.is_open && contacts.some((c) => c.id === cv.contact_id && reachable(c)));
    if (closed === undefined) throw new Error('the seed has no closed conversation');
    closedConversation = closed;
    await salesmsgTag(salesmsg, closed.contact_id, 'customer');
    await project.runJson(['run', 'salesmsg-leads-to-ghl']);
    const all = await salesmsgContacts(salesmsg);
    const isCustomer = (c: SalesmsgContactState): boolean => reachable(c) && c.tags.some((t) => t.label === 'customer');
    customers = [...all.filter((c) => isCustomer(c) && c.id !== closed.contact_id), ...all.filter((c) => c.id === closed.contact_id)];
    expect(customers.length).toBeGreaterThanOrEqual(4);
    for (const customer of customers) expect(await followUpOf(customer)).toMatchObject({ completed: false });
  });
  afterAll(async () => {
    await Promise.all([salesmsg.stop(), ghl.stop()]);
    project.remove();
    home.remove();
  });

  it('contact changes: only linked contacts, only changed fields, by hand, webhook and schedule; repeats write nothing', async () => {
    const [first, second] = customers;
    if (first === undefined || second === undefined) throw new Error('unreachable');
    // Nothing changed since salesmsg-leads-to-ghl wrote the contacts: no write, though this pipeline never wrote them.
    let writes = ghlWrites(await ghl.stats());
    await project.runJson(['run', 'salesmsg-changes-to-ghl']);
    expect(ghlWrites(await ghl.stats())).toBe(writes);

    await salesmsgApi(salesmsg, 'PUT', `/contacts/${first.id}`, { first_name: 'Octavia' });
    const lead = (await salesmsgContacts(salesmsg)).find((c) => !customers.some((k) => k.id === c.id));
    if (lead === undefined) throw new Error('no lead');
    await salesmsgApi(salesmsg, 'PUT', `/contacts/${lead.id}`, { first_name: 'Nobody' });
    const served = await project.serve();
    try {
      expect(await salesmsgEmit(salesmsg, served.url, 'contact.updated', { contactId: first.id })).toBe(202);
      expect(await salesmsgEmit(salesmsg, served.url, 'contact.updated', { contactId: lead.id })).toBe(202);
      await eventually(async () => ((await ghlContactOf(first)).firstName === 'Octavia' ? true : undefined), 'the change in GHL');
      await serviceIdle(served.url);
      expect(ghlRouteCount(await ghl.stats(), 'PUT /contacts/{contactId}')).toBe(1);
      writes = ghlWrites(await ghl.stats());
      expect(await salesmsgEmit(salesmsg, served.url, 'contact.updated', { contactId: first.id })).toBe(200);
      await serviceIdle(served.url);
      expect(ghlWrites(await ghl.stats())).toBe(writes);
    } finally {
      expect((await served.stop()).code).toBe(0);
    }
    expect((await ghlLocation(ghl)).contacts.some((c) => c.firstName === 'Nobody')).toBe(false);

    await salesmsgApi(salesmsg, 'PUT', `/contacts/${second.id}`, { last_name: 'Lovelace' });
    project.usePipelines('* * * * * *', ['salesmsg-changes-to-ghl', 'ghl-changes-to-salesmsg']);
    const scheduled = await project.serve();
    try {
      await eventually(async () => ((await ghlContactOf(second)).lastName === 'Lovelace' ? true : undefined), 'the scheduled update in GHL', 45_000);
    } finally {
      expect((await scheduled.stop()).code).toBe(0);
      project.usePipelines();
    }
    writes = ghlWrites(await ghl.stats());
    const again = await project.runJson(['run', 'salesmsg-changes-to-ghl', '--full']);
    expect(again.runs[0]?.summary).toMatchObject({ updated: 0 });
    expect(ghlWrites(await ghl.stats())).toBe(writes);
  });

  it('replies: a message received completes the follow-up task once (webhook, and by hand per conversation)', async () => {
    const [first, second] = customers;
    if (first === undefined || second === undefined) throw new Error('unreachable');
    const message = (await fetch(`${salesmsg.url}/__sandbox/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contactId: first.id, body: 'Yes, call me tomorrow' }),
    }).then((r) => r.json())) as { id: number };
    const served = await project.serve();
    try {
      expect(await salesmsgEmit(salesmsg, served.url, 'message.received', { messageId: message.id })).toBe(202);
      await eventually(async () => ((await followUpOf(first))?.completed === true ? true : undefined), 'the task completed');
      await serviceIdle(served.url);
      const completions = ghlWrites(await ghl.stats());
      const next = (await fetch(`${salesmsg.url}/__sandbox/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contactId: first.id, body: 'Any news?' }),
      }).then((r) => r.json())) as { id: number };
      expect(await salesmsgEmit(salesmsg, served.url, 'message.received', { messageId: next.id })).toBe(202);
      await serviceIdle(served.url);
      expect(ghlWrites(await ghl.stats())).toBe(completions);
    } finally {
      expect((await served.stop()).code).toBe(0);
    }

    const reply = (await fetch(`${salesmsg.url}/__sandbox/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contactId: second.id, body: 'Thanks!' }),
    }).then((r) => r.json())) as { conversationId: number };
    await project.runJson(['run', 'salesmsg-replies-complete-tasks', '--param', `conversationId=${reply.conversationId}`]);
    expect(await followUpOf(second)).toMatchObject({ completed: true });
  });

  it('closed conversations (schedule) complete the task of their contact', async () => {
    const customer = customers.find((c) => c.id === closedConversation.contact_id);
    if (customer === undefined) throw new Error('unreachable');
    expect(await followUpOf(customer)).toMatchObject({ completed: false });
    project.usePipelines('* * * * * *', ['salesmsg-closed-conversations-complete-tasks']);
    const served = await project.serve();
    try {
      await eventually(async () => ((await followUpOf(customer))?.completed === true ? true : undefined), 'the task completed by the scheduled run', 45_000);
    } finally {
      expect((await served.stop()).code).toBe(0);
      project.usePipelines();
    }
  });

  it('opt-outs delete the open follow-up task (completed ones stay), once', async () => {
    const [first, , third] = customers;
    if (first === undefined || third === undefined) throw new Error('unreachable');
    const open = await followUpOf(third);
    expect(open).toMatchObject({ completed: false });
    await salesmsgApi(salesmsg, 'PUT', `/contacts/opt-out/${third.id}`);
    await salesmsgApi(salesmsg, 'PUT', `/contacts/opt-out/${first.id}`);
    const served = await project.serve();
    try {
      expect(await salesmsgEmit(salesmsg, served.url, 'contact.opted_out', { contactId: third.id })).toBe(202);
      expect(await salesmsgEmit(salesmsg, served.url, 'contact.opted_out', { contactId: first.id })).toBe(202);
      await eventually(async () => ((await ghlLocation(ghl)).tasks.some((t) => t.id === open?.id) ? undefined : true), 'the open task deleted');
      await serviceIdle(served.url);
    } finally {
      expect((await served.stop()).code).toBe(0);
    }
    expect(await followUpOf(first)).toMatchObject({ completed: true });
    const writes = ghlWrites(await ghl.stats());
    await project.runJson(['run', 'salesmsg-optouts-delete-tasks', '--full']);
    expect(ghlWrites(await ghl.stats())).toBe(writes);
  });

  it('echo guard: ferry’s own GHL writes coming back as ContactUpdate are skipped; real GHL edits go back to Salesmsg', async () => {
    const customer = customers[3];
    if (customer === undefined) throw new Error('unreachable');
    const contact = await ghlContactOf(customer);
    // The contact's own `type` (lead, customer) would shadow the event's: GHL's deliveries carry the event's.
    const event = (id: string, fields: GhlContactState): Record<string, unknown> => ({ ...fields, type: 'ContactUpdate', webhookId: id });
    const served = await project.serve();
    try {
      // The contact as salesmsg-leads-to-ghl wrote it: its own echo.
      const updates = salesmsgUpdates(await salesmsg.stats());
      expect(await postGhlEvent(served.url, signer, event('wh-echo-1', contact))).toBe(202);
      await serviceIdle(served.url);
      expect(salesmsgUpdates(await salesmsg.stats())).toBe(updates);
      const webhookRuns = project.runs('ghl-changes-to-salesmsg').filter((run) => run.trigger === 'webhook:ghl/ContactUpdate');
      expect(webhookRuns.map((run) => run.summary)).toEqual([expect.objectContaining({ read: 1, skipped: 1, updated: 0 })]);

      // Someone edits the contact in GHL: the change goes to Salesmsg.
      const edited = (await ghlApi(ghl, 'PUT', `/contacts/${contact.id}`, { firstName: 'Edited' }))['contact'] as GhlContactState;
      expect(await postGhlEvent(served.url, signer, event('wh-edit-1', edited))).toBe(202);
      await eventually(async () => ((await salesmsgContacts(salesmsg)).find((c) => c.id === customer.id)?.first_name === 'Edited' ? true : undefined), 'the edit in Salesmsg');
      await serviceIdle(served.url);
    } finally {
      expect((await served.stop()).code).toBe(0);
    }

    // Salesmsg's change comes back to GHL once; GHL's ContactUpdate about that write is an echo: the loop ends.
    await project.runJson(['run', 'salesmsg-changes-to-ghl']);
    const after = await ghlContactOf(customer);
    expect(after.firstName).toBe('Edited');
    const updates = salesmsgUpdates(await salesmsg.stats());
    const again = await project.serve();
    try {
      expect(await postGhlEvent(again.url, signer, event('wh-echo-2', after))).toBe(202);
      await serviceIdle(again.url);
    } finally {
      expect((await again.stop()).code).toBe(0);
    }
    expect(salesmsgUpdates(await salesmsg.stats())).toBe(updates);
  });
});
