import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHarness } from '../testing/sandbox-harness.js';
import { contactOperations } from '../spec/operations.js';
import type { GhlClient } from './ghl-client.js';

let harness: SandboxHarness;
let client: GhlClient;

beforeAll(async () => {
  harness = await startSandbox({ size: 30, seed: 11, extra: { recordRequests: true } });
  client = harness.client();
});
afterAll(() => harness.close());

describe('GhlClient against the sandbox, over the real HTTP client', () => {
  it('round-trips every operation of the contacts spec', async () => {
    // Contacts: create, read, update, search, legacy list, duplicate, upsert.
    const created = await client.createContact({ firstName: 'Round', lastName: 'Trip', email: 'round.trip@example.com', phone: '+14155550100', tags: ['Alpha', 'beta'] });
    if (!('contact' in created)) throw new Error('expected a created contact');
    const id = created.contact.id;
    expect(created.contact.tags).toEqual(['alpha', 'beta']);
    expect((await client.getContact(id))?.email).toBe('round.trip@example.com');

    const updated = await client.updateContact(id, { city: 'Austin', tags: ['gamma'] });
    expect(updated?.city).toBe('Austin');
    expect(updated?.tags).toEqual(['alpha', 'beta']); // tags left out of the PUT: nothing wiped
    const replaced = await client.updateContact(id, { tags: ['gamma'] }, { replaceTags: true });
    expect(replaced?.tags).toEqual(['gamma']);

    expect(await client.addTags(id, ['Delta'])).toEqual(['gamma', 'delta']);
    expect(await client.removeTags(id, ['gamma'])).toEqual(['delta']);

    const found = await client.searchPage({ filters: [{ field: 'email', operator: 'eq', value: 'ROUND.TRIP@example.com' }] });
    expect(found.contacts.map((c) => c.id)).toEqual([id]);
    expect(found.cursors[0]).toBeDefined();

    const legacy = await client.listContactsPage({ limit: 5 });
    expect(legacy.contacts).toHaveLength(5);
    expect(legacy.next).toBeDefined();

    expect((await client.findDuplicate({ phone: '+14155550100' }))?.id).toBe(id);
    expect(await client.findDuplicate({ email: 'nobody@example.com' })).toBeUndefined();

    const upserted = await client.upsertContact({ email: 'round.trip@example.com', lastName: 'Tripped' });
    expect(upserted).toMatchObject({ created: false, contact: { id, lastName: 'Tripped' } });
    const fresh = await client.upsertContact({ email: 'fresh@example.com' });
    expect(fresh.created).toBe(true);

    // Business membership, in bulk and by business.
    const businessId = 'bizRoundTrip000000001';
    expect(await client.bulkSetBusiness([id, fresh.contact.id], businessId)).toEqual([id, fresh.contact.id]);
    const members = await client.contactsByBusiness(businessId);
    expect(members.contacts.map((c) => c.id).sort()).toEqual([id, fresh.contact.id].sort());
    expect(members.count).toBe(2);

    // Bulk tags.
    expect((await client.bulkUpdateTags('add', [id, fresh.contact.id], ['bulk'])).errorCount).toBe(0);
    expect((await client.getContact(fresh.contact.id))?.tags).toEqual(['bulk']);
    expect((await client.bulkUpdateTags('remove', [id, 'missingContact0000001'], ['bulk'])).errorCount).toBe(1);

    // Followers, campaigns, workflows.
    expect(await client.addFollowers(id, ['userA', 'userB'])).toEqual({ followers: ['userA', 'userB'], added: ['userA', 'userB'] });
    expect(await client.removeFollowers(id, ['userA'])).toEqual({ followers: ['userB'], removed: ['userA'] });
    await client.addToCampaign(id, 'campaign0000000000001');
    await client.removeFromCampaign(id, 'campaign0000000000001');
    await client.addToCampaign(id, 'campaign0000000000002');
    await client.removeFromAllCampaigns(id);
    await client.addToWorkflow(id, 'workflow0000000000001', '2030-01-01T10:00:00Z');
    await client.removeFromWorkflow(id, 'workflow0000000000001');
    const state = harness.sandbox.snapshot() as { locations: { contacts: { id: string; campaigns: string[]; workflows: string[] }[] }[] };
    const stored = state.locations[0]?.contacts.find((c) => c.id === id);
    expect(stored).toMatchObject({ campaigns: [], workflows: [] });

    // Tasks.
    const task = await client.createTask(id, { title: 'Call back', dueDate: '2030-02-01T09:00:00Z' });
    expect(task).toMatchObject({ title: 'Call back', completed: false, contactId: id });
    expect((await client.getTask(id, task.id))?.title).toBe('Call back');
    expect((await client.updateTask(id, task.id, { title: 'Call back today', dueDate: '2030-02-01T09:00:00Z' }))?.title).toBe('Call back today');
    expect((await client.completeTask(id, task.id))?.completed).toBe(true);
    expect((await client.listTasks(id)).map((t) => t.id)).toEqual([task.id]);
    expect(await client.deleteTask(id, task.id)).toBe(true);
    expect(await client.deleteTask(id, task.id)).toBe(false);
    expect(await client.getTask(id, task.id)).toBeUndefined();

    // Notes.
    const note = await client.createNote(id, { body: 'Prefers texts' });
    expect((await client.getNote(id, note.id))?.body).toBe('Prefers texts');
    expect((await client.updateNote(id, note.id, { body: 'Prefers calls' }))?.body).toBe('Prefers calls');
    expect((await client.listNotes(id)).map((n) => n.body)).toEqual(['Prefers calls']);
    expect(await client.deleteNote(id, note.id)).toBe(true);

    // Appointments of a seeded contact that has some.
    const seeded = harness.sandbox.snapshot() as { locations: { appointments: { contactId: string }[] }[] };
    const withAppointments = seeded.locations[0]?.appointments[0]?.contactId ?? '';
    expect((await client.listAppointments(withAppointments)).length).toBeGreaterThan(0);

    // Delete, then the contact is gone.
    expect(await client.deleteContact(id)).toBe(true);
    expect(await client.getContact(id)).toBeUndefined();
    expect(await client.deleteContact(id)).toBe(false);

    const called = new Set(harness.sandbox.requests().map((r) => r.operationId));
    const missing = contactOperations()
      .map((op) => op.operationId)
      .filter((op) => !called.has(op));
    expect(missing).toEqual([]);
  });

  it('pages every contact with searchContacts (async iterator)', async () => {
    const all: string[] = [];
    for await (const contact of client.searchContacts({ pageLimit: 7 })) all.push(contact.id);
    expect(all.length).toBeGreaterThanOrEqual(30);
    expect(new Set(all).size).toBe(all.length);
  });

  it('normalises search items to the get-by-id shape (address1, ISO dateOfBirth)', async () => {
    const created = await client.createContact({ firstName: 'Shape', address1: '1 Elm St', dateOfBirth: '03/04/1990' });
    if (!('contact' in created)) throw new Error('expected a created contact');
    const page = await client.searchPage({ filters: [{ field: 'id', operator: 'eq', value: created.contact.id }] });
    const item = page.contacts[0];
    expect(item?.['address1']).toBe('1 Elm St');
    expect(item?.['address']).toBeUndefined();
    expect(item?.['searchAfter']).toBeUndefined();
    expect(item?.dateOfBirth).toBe('1990-03-04T00:00:00.000Z');
    expect((await client.getContact(created.contact.id))?.dateOfBirth).toBe('1990-03-04T00:00:00.000Z');
  });
});
