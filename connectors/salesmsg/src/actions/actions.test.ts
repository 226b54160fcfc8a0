import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeAllPools, type ActionDef, type ActionRequest, type ConnectorContext, type HttpClient, type JsonRecord } from '@ferry/core';
import { defaultSource } from '@ferry/core/testing';
import { salesmsg } from '../connector.js';
import { startSandbox, type SandboxHarness } from '../testing/sandbox-harness.js';
import { contactsCreate } from './contacts-create.js';
import { contactsOptIn, contactsOptOut } from './contacts-consent.js';
import { contactsDelete } from './contacts-delete.js';
import { contactsTag, contactsUntag } from './contacts-tag.js';
import { contactsUpdate } from './contacts-update.js';

let harness: SandboxHarness;
beforeEach(async () => {
  harness = await startSandbox({ seed: 21, size: 30 });
});
afterEach(async () => {
  await harness.close();
});
afterAll(async () => {
  await closeAllPools();
});

function request(input: JsonRecord, more: Partial<ActionRequest> = {}): ActionRequest {
  return { input, options: {}, linkedId: undefined, source: defaultSource(salesmsg), ...more };
}

interface SnapshotContact {
  id: number;
  number: string;
  email: string | null;
  first_name: string | null;
  opt_out: boolean;
  tags: { id: number; label: string }[];
}

function contacts(): SnapshotContact[] {
  return harness.sandbox.snapshot()['contacts'] as SnapshotContact[];
}

function calls(operation: string): number {
  return (harness.sandbox.stats()['byOperation'] as Record<string, number>)[operation] ?? 0;
}

function run(action: ActionDef, ctx: ConnectorContext, req: ActionRequest): ReturnType<ActionDef['run']> {
  return action.run(ctx, req);
}

describe('contacts.create: search before create', () => {
  it('creates with the number in E.164 and the email lower-cased', async () => {
    const ctx = harness.context();
    const result = await run(contactsCreate, ctx, request({ number: '(512) 555-9001', first_name: 'Grace', email: 'Grace@Example.COM' }));
    expect(result.outcome).toBe('created');
    const created = contacts().find((c) => String(c.id) === result.id);
    expect(created).toMatchObject({ number: '+15125559001', email: 'grace@example.com', first_name: 'Grace' });
  });

  it('a create replayed after a crash (result lost before the checkpoint) makes no second contact', async () => {
    const input = { number: '+1 303 555 7001', first_name: 'Replay', email: 'replay@example.com' };
    const first = await run(contactsCreate, harness.context(), request(input));
    expect(first.outcome).toBe('created');
    // The process died before the checkpoint: the link table knows nothing, a new run sends the record again.
    const replay = await run(contactsCreate, harness.context(), request(input));
    expect(replay).toMatchObject({ outcome: 'unchanged', id: first.id });
    expect(contacts().filter((c) => c.number === '+13035557001')).toHaveLength(1);
    expect(calls('contacts.create')).toBe(1);
  });

  it('without the search, the same create twice makes two contacts (the API has no upsert)', async () => {
    const api = harness.api();
    await api.createContact({ number: '+13035557002' });
    await api.createContact({ number: '+13035557002' });
    expect(contacts().filter((c) => c.number === '+13035557002')).toHaveLength(2);
  });

  it('finds an existing contact by its lower-cased email when the number differs, and updates what changed', async () => {
    const existing = contacts().find((c) => c.email !== null && c.email === c.email.toUpperCase());
    if (existing?.email == null) throw new Error('the seed has no upper-case email');
    const result = await run(contactsCreate, harness.context(), request({ number: '+17025550111', email: existing.email.toLowerCase(), first_name: 'Renamed' }));
    expect(result).toMatchObject({ outcome: 'updated', id: String(existing.id) });
    expect(contacts().find((c) => c.id === existing.id)).toMatchObject({ first_name: 'Renamed', number: '+17025550111' });
    expect(calls('contacts.create')).toBe(0);
  });

  it('honours match order and updateExisting: false', async () => {
    const [a] = contacts();
    if (a === undefined) throw new Error('no contact');
    const result = await run(contactsCreate, harness.context(), request({ number: a.number, first_name: 'Ignored' }, { options: { updateExisting: false }, match: ['phone'] }));
    expect(result).toMatchObject({ outcome: 'unchanged', id: String(a.id) });
    expect(contacts().find((c) => c.id === a.id)?.first_name).toBe(a.first_name);
  });

  it('uses the linked contact when the link table knows it', async () => {
    const [, b] = contacts();
    if (b === undefined) throw new Error('no contact');
    const found = await contactsCreate.find?.(harness.context(), request({ number: '+19175550000' }, { linkedId: String(b.id) }));
    expect(found?.['id']).toBe(b.id);
  });

  it('a create whose answer is lost (timeout after the server acted) finds the contact instead of failing', async () => {
    const ctx = harness.context({ http: { timeouts: { headersMs: 300 }, retries: 1 } });
    // Time out exactly the POST /contacts: the sandbox creates the contact, then never answers.
    const http: HttpClient = {
      stats: ctx.http.stats,
      async request(req) {
        const lose = req.method === 'POST' && req.path === '/contacts';
        if (lose) harness.sandbox.setFaults({ timeout: 1 });
        try {
          return await ctx.http.request(req);
        } finally {
          if (lose) harness.sandbox.setFaults({});
        }
      },
    };
    const result = await run(contactsCreate, { ...ctx, http }, request({ number: '+16175550123', first_name: 'Lost' }));
    expect(result.outcome).toBe('created');
    expect(contacts().filter((c) => c.number === '+16175550123').map((c) => String(c.id))).toEqual([result.id]);
  });

  it('rejects a number it cannot read, naming the country', async () => {
    await expect(run(contactsCreate, harness.context(), request({ number: '12' }))).rejects.toMatchObject({
      code: 'SALESMSG_INVALID_PHONE',
      hint: expect.stringContaining('defaultCountry') as unknown,
    });
    const gb = await run(contactsCreate, harness.context({ config: { defaultCountry: 'GB' } }), request({ number: '020 7946 0958' }));
    expect(contacts().find((c) => String(c.id) === gb.id)?.number).toBe('+442079460958');
  });
});

describe('contacts.update / delete / opt-out / opt-in', () => {
  it('update sends a JSON body to the linked contact; the id may be a string from the link table', async () => {
    const [a] = contacts();
    if (a === undefined) throw new Error('no contact');
    const result = await run(contactsUpdate, harness.context(), request({ last_name: 'Hopper', number: '303-555-0199' }, { linkedId: String(a.id) }));
    expect(result).toMatchObject({ outcome: 'updated', id: String(a.id) });
    expect(contacts().find((c) => c.id === a.id)).toMatchObject({ number: '+13035550199' });
    await expect(run(contactsUpdate, harness.context(), request({ first_name: 'x' }))).rejects.toMatchObject({ code: 'SALESMSG_NO_CONTACT_ID' });
  });

  it('opt-out and opt-in flip consent; an unknown contact is a clear error', async () => {
    const [, b] = contacts();
    if (b === undefined) throw new Error('no contact');
    expect((await run(contactsOptOut, harness.context(), request({ id: b.id }))).outcome).toBe('updated');
    expect(contacts().find((c) => c.id === b.id)?.opt_out).toBe(true);
    await run(contactsOptIn, harness.context(), request({ id: b.id }));
    expect(contacts().find((c) => c.id === b.id)?.opt_out).toBe(false);
    await expect(run(contactsOptOut, harness.context(), request({ id: 1 }))).rejects.toMatchObject({ code: 'SALESMSG_CONTACT_NOT_FOUND' });
  });

  it('delete removes the contact; deleting it again changes nothing', async () => {
    const [, , c] = contacts();
    if (c === undefined) throw new Error('no contact');
    expect(await run(contactsDelete, harness.context(), request({ id: String(c.id) }))).toEqual({ outcome: 'deleted', id: String(c.id) });
    expect(await run(contactsDelete, harness.context(), request({ id: c.id }))).toEqual({ outcome: 'unchanged', id: String(c.id) });
    expect(contacts().some((x) => x.id === c.id)).toBe(false);
  });
});

describe('contacts.tag / contacts.untag: by label', () => {
  it('creates a missing tag once, caches label → id for the run, and tags each contact by id', async () => {
    const cache = new Map<string, unknown>();
    const [a, b, c] = contacts();
    if (a === undefined || b === undefined || c === undefined) throw new Error('no contacts');
    // Three records of one run, at once: one look-up and one create for the new label.
    await Promise.all(
      [a, b, c].map((contact) => run(contactsTag, harness.context({ cache }), request({}, { options: { tags: ['Salesmsg Lead', 'lead'] }, previous: { outcome: 'created', id: String(contact.id) } }))),
    );
    expect(calls('tags.create')).toBe(1);
    expect(calls('tags.list')).toBe(2);
    const tagged = contacts().filter((x) => [a.id, b.id, c.id].includes(x.id));
    expect(tagged.every((x) => x.tags.some((t) => t.label === 'Salesmsg Lead') && x.tags.some((t) => t.label === 'lead'))).toBe(true);
    const tags = harness.sandbox.snapshot()['tags'] as { label: string }[];
    expect(tags.filter((t) => t.label === 'Salesmsg Lead')).toHaveLength(1);

    // Same run, next record: no look-up at all.
    await run(contactsTag, harness.context({ cache }), request({ id: a.id, tags: 'salesmsg lead' }));
    expect(calls('tags.list')).toBe(2);
  });

  it('a new run finds the tag made by an earlier run instead of creating it again', async () => {
    const [a, b] = contacts();
    if (a === undefined || b === undefined) throw new Error('no contacts');
    await run(contactsTag, harness.context(), request({ id: a.id }, { options: { tags: ['VIP-2030'] } }));
    await run(contactsTag, harness.context(), request({ id: b.id }, { options: { tags: ['vip-2030'] } }));
    expect(calls('tags.create')).toBe(1);
  });

  it('untags by label and skips labels that have no tag', async () => {
    const withLead = contacts().find((x) => x.tags.some((t) => t.label === 'lead'));
    if (withLead === undefined) throw new Error('no lead');
    const result = await run(contactsUntag, harness.context(), request({ id: withLead.id, tags: ['lead', 'never-made'] }));
    expect(result).toMatchObject({ outcome: 'updated', record: { tags: ['lead'] } });
    expect(contacts().find((x) => x.id === withLead.id)?.tags.some((t) => t.label === 'lead')).toBe(false);
    expect(calls('tags.create')).toBe(0);
    await expect(run(contactsTag, harness.context(), request({ id: withLead.id }))).rejects.toMatchObject({ code: 'SALESMSG_NO_TAGS' });
  });
});
