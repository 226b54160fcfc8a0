import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext } from '@ferry/core/testing';
import type { ActionRequest, ActionResult, ConnectorContext, JsonRecord, Logger } from '@ferry/core';
import { ghl } from '../connector.js';
import { startSandbox, type SandboxHarness } from '../testing/sandbox-harness.js';

let harness: SandboxHarness;
let ctx: ConnectorContext;
const warnings: string[] = [];

const source = { connector: 'salesmsg', stream: 'contacts', schema: { type: 'object' }, primaryKey: 'id' } as const;

async function act(name: string, input: JsonRecord, extra: Partial<ActionRequest> = {}): Promise<ActionResult> {
  const action = ghl.actions.find((a) => a.name === name);
  if (action === undefined) throw new Error(`no action ${name}`);
  return action.run(ctx, { input, options: {}, linkedId: undefined, source, ...extra });
}

function contactCount(): number {
  const snapshot = harness.sandbox.snapshot() as { locations: { contacts: unknown[] }[] };
  return snapshot.locations[0]?.contacts.length ?? 0;
}

beforeAll(async () => {
  harness = await startSandbox({ size: 10, seed: 44, extra: { recordRequests: true } });
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (_obj: object | string, msg?: string) => {
      warnings.push(msg ?? '');
    },
    error: () => undefined,
    child: () => log,
  };
  ctx = createTestContext({ connection: 'ghl', config: { locationId: harness.locationId, baseUrl: harness.url }, account: harness.locationId, http: harness.http(), log });
});
afterAll(() => harness.close());

describe('contacts.create', () => {
  it('creates, then updates the linked contact instead of creating again', async () => {
    const before = contactCount();
    const first = await act('contacts.create', { firstName: 'Lin', email: 'lin@example.com', tags: ['lead'] });
    expect(first.outcome).toBe('created');
    const again = await act('contacts.create', { firstName: 'Lin', lastName: 'Ked', email: 'lin@example.com', tags: ['customer'] }, { linkedId: first.id ?? '' });
    expect(again).toMatchObject({ outcome: 'updated', id: first.id, record: { lastName: 'Ked', tags: ['lead', 'customer'] } });
    expect(contactCount()).toBe(before + 1);
  });

  it('a duplicate the location refuses updates the existing contact', async () => {
    const existing = await act('contacts.create', { firstName: 'Dee', phone: '+14155550999' });
    const duplicate = await act('contacts.create', { firstName: 'Dee', lastName: 'Upe', phone: '+1 415 555 0999' });
    expect(duplicate).toMatchObject({ outcome: 'updated', id: existing.id, record: { lastName: 'Upe' } });
  });
});

describe('contacts.update never wipes tags by accident', () => {
  it('adds the record’s tags, and replaces them only with replaceTags: true', async () => {
    const created = await act('contacts.create', { firstName: 'Tag', tags: ['one', 'two'] });
    const id = created.id ?? '';
    const added = await act('contacts.update', { id, tags: ['three'] });
    expect(added.record?.['tags']).toEqual(['one', 'two', 'three']);
    const put = harness.sandbox.requests().filter((r) => r.operationId === 'update-contact').at(-1);
    expect(put?.body).not.toHaveProperty('tags');
    const replaced = await act('contacts.update', { id, tags: ['only'] }, { options: { replaceTags: true } });
    expect(replaced.record?.['tags']).toEqual(['only']);
  });

  it('fields PUT cannot take are not sent, and said once', async () => {
    const created = await act('contacts.create', { firstName: 'Co', companyName: 'Before' });
    warnings.length = 0;
    const updated = await act('contacts.update', { id: created.id ?? '', companyName: 'After', city: 'Rome' });
    expect(updated.record?.['city']).toBe('Rome');
    expect(updated.record?.['companyName']).toBe('Before');
    expect(warnings).toEqual(['GHL cannot change these contact fields with an update; they were not sent']);
  });

  it('a contact deleted in GHL is a typed error with a hint', async () => {
    const created = await act('contacts.create', { firstName: 'Gone' });
    await act('contacts.delete', { id: created.id ?? '' });
    await expect(act('contacts.update', { id: created.id ?? '', city: 'X' })).rejects.toMatchObject({ code: 'GHL_CONTACT_NOT_FOUND', hint: expect.stringContaining('upsert') });
    expect(await act('contacts.delete', { id: created.id ?? '' })).toMatchObject({ outcome: 'unchanged' });
  });
});

describe('contacts.upsert', () => {
  it('with match, looks the contact up in that order and updates it', async () => {
    const byEmail = await act('contacts.create', { firstName: 'Em', email: 'em@example.com' });
    const byPhone = await act('contacts.create', { firstName: 'Ph', phone: '+14155550555' });
    const phoneFirst = await act('contacts.upsert', { phone: '+14155550555', email: 'em@example.com', city: 'Nice' }, { match: ['phone', 'email'] });
    expect(phoneFirst).toMatchObject({ outcome: 'updated', id: byPhone.id });
    const emailFirst = await act('contacts.upsert', { phone: '+14155550555', email: 'em@example.com', city: 'Lyon' }, { match: ['email', 'phone'] });
    expect(emailFirst).toMatchObject({ outcome: 'updated', id: byEmail.id });
    // The second field belonged to the other contact: it was left out rather than making a duplicate.
    expect(phoneFirst.record?.['email']).toBeUndefined();
  });

  it('without match, the API matches; tags are added to an existing contact, never replaced', async () => {
    const existing = await act('contacts.create', { email: 'up@example.com', tags: ['keep'] });
    const upserted = await act('contacts.upsert', { email: 'up@example.com', tags: ['new'] });
    expect(upserted).toMatchObject({ outcome: 'updated', id: existing.id, record: { tags: ['keep', 'new'] } });
    const fresh = await act('contacts.upsert', { email: 'fresh.up@example.com', tags: ['new'] });
    expect(fresh).toMatchObject({ outcome: 'created', record: { tags: ['new'] } });
  });

  it('match on a field GHL cannot match on is refused', async () => {
    await expect(act('contacts.upsert', { city: 'Z', email: 'z@example.com' }, { match: ['city'] })).rejects.toMatchObject({ code: 'GHL_MATCH_UNSUPPORTED' });
  });
});

describe('then-steps and tasks', () => {
  it('contacts.tags.add as a then-step tags the contact of the previous step with the `with:` tags', async () => {
    const created = await act('contacts.create', { firstName: 'Then', tags: ['a'] });
    const tagged = await act('contacts.tags.add', {}, { options: { tags: ['salesmsg-lead'] }, previous: created });
    expect(tagged).toMatchObject({ outcome: 'updated', id: created.id, record: { tags: ['a', 'salesmsg-lead'] } });
    expect(await act('contacts.tags.add', {}, { previous: created })).toMatchObject({ outcome: 'skipped' });
    await expect(act('contacts.tags.add', { tags: ['x'] })).rejects.toMatchObject({ code: 'GHL_CONTACT_ID_MISSING' });
  });

  it('tasks.create looks before it creates, and tasks.update re-sends title and due date', async () => {
    const contact = await act('contacts.create', { firstName: 'Task' });
    const contactId = contact.id ?? '';
    const first = await act('tasks.create', { contactId, title: 'Call', dueDate: '2030-04-01T08:00:00.000Z' });
    const again = await act('tasks.create', { contactId, title: 'Call', dueDate: '2030-04-01T08:00:00Z' });
    expect(first.outcome).toBe('created');
    expect(again).toMatchObject({ outcome: 'unchanged', id: first.id });
    const created = harness.sandbox.requests().filter((r) => r.operationId === 'create-task').at(-1);
    expect(created?.body).toHaveProperty('dueDate', '2030-04-01T08:00:00Z');

    await act('tasks.update', { contactId, id: first.id ?? '', body: 'Ask about renewal' });
    const put = harness.sandbox.requests().filter((r) => r.operationId === 'update-task').at(-1);
    expect(put?.body).toEqual({ title: 'Call', dueDate: '2030-04-01T08:00:00Z', body: 'Ask about renewal' });
    expect(await act('tasks.complete', { id: first.id ?? '' }, { previous: first })).toMatchObject({ outcome: 'updated', record: { contactId, completed: true } });
    await expect(act('tasks.create', { contactId, title: 'Bad', dueDate: 'next tuesday' })).rejects.toMatchObject({ code: 'GHL_INVALID_DATE' });
  });

  it('notes.create does not add the same note twice', async () => {
    const contact = await act('contacts.create', { firstName: 'Note' });
    const first = await act('notes.create', { contactId: contact.id ?? '', body: 'Called twice' });
    const again = await act('notes.create', { contactId: contact.id ?? '', body: 'Called twice' });
    expect(again).toMatchObject({ outcome: 'unchanged', id: first.id });
  });
});

describe('find (plan and studio)', () => {
  it('finds the linked contact, else the one matched on email/phone, else nothing', async () => {
    const create = ghl.actions.find((a) => a.name === 'contacts.create');
    const created = await act('contacts.create', { firstName: 'Find', email: 'find@example.com' });
    const request = { input: { email: 'find@example.com' }, options: {}, linkedId: undefined, source };
    expect((await create?.find?.(ctx, request))?.['id']).toBe(created.id);
    expect(await create?.find?.(ctx, { ...request, input: { email: 'nobody@example.com' } })).toBeUndefined();
    expect((await create?.find?.(ctx, { ...request, input: {}, linkedId: created.id ?? '' }))?.['id']).toBe(created.id);
  });
});
