import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllPools, isHttpError } from '@ferry/core';
import { OPERATIONS, type OperationName } from '../api-table.js';
import { startSandbox, type SandboxHarness } from '../testing/sandbox-harness.js';
import { createSalesmsgClient } from './create-client.js';

let harness: SandboxHarness;
beforeAll(async () => {
  harness = await startSandbox({ seed: 5, size: 40 });
});
afterAll(async () => {
  await harness.close();
  await closeAllPools();
});

describe('salesmsgApi: every operation of the API table, through the real HTTP client', () => {
  it('lists, searches and gets contacts', async () => {
    const api = harness.api();
    const page = await api.listContacts({ page: 1, pageSize: 15, sortBy: 'updated_at', sortOrder: 'asc' });
    expect(page.records).toHaveLength(15);
    expect(page.meta).toEqual({ currentPage: 1, lastPage: 3, perPage: 15, total: 40 });
    const times = page.records.map((c) => c.updated_at ?? '');
    expect([...times].sort()).toEqual(times);

    const legacy = await api.listContactsLegacy({ page: 3, pageSize: 15, sortBy: 'updated_at', sortOrder: 'asc' });
    expect(legacy.records).toHaveLength(10);
    expect(legacy.meta?.currentPage).toBe(3);

    const first = page.records[0];
    if (first?.number == null) throw new Error('seeded contact without a number');
    const found = await api.searchContacts(first.number);
    expect(found.map((c) => c.id)).toContain(first.id);
    const got = await api.getContact(String(first.id));
    expect(got?.id).toBe(first.id);
    expect(got?.formatted_number).toMatch(/^\(\d{3}\) \d{3}-\d{4}$/);
    expect(await api.getContact(99_999_999)).toBeUndefined();
  });

  it('filters the deprecated list on created_at', async () => {
    const api = harness.api();
    const all = await api.listContactsLegacy({ page: 1, pageSize: 100, sortBy: 'created_at', sortOrder: 'asc' });
    const middle = all.records[20]?.created_at;
    if (middle == null) throw new Error('no middle contact');
    const after = await api.listContactsLegacy({ page: 1, pageSize: 100, createdAfter: middle });
    expect(after.records.length).toBeGreaterThan(0);
    expect(after.records.every((c) => (c.created_at ?? '') > middle)).toBe(true);
  });

  it('creates (fields as query parameters), updates (JSON), opts out and in, deletes', async () => {
    const api = harness.api();
    const created = await api.createContact({ number: '+14155550123', first_name: 'Ada', email: 'ada@example.com' });
    expect(created).toMatchObject({ number: '+14155550123', first_name: 'Ada', email: 'ada@example.com', opt_out: false });
    const updated = await api.updateContact(created.id, { last_name: 'Lovelace', number: '(415) 555-0124' });
    expect(updated).toMatchObject({ last_name: 'Lovelace', number: '+14155550124', full_name: 'Ada Lovelace' });
    expect((await api.optOut(created.id))?.opt_out).toBe(true);
    expect((await api.optIn(created.id))?.opt_out).toBe(false);
    expect(await api.deleteContact(created.id)).toBe(true);
    expect(await api.deleteContact(created.id)).toBe(false);
    expect(await api.optOut(created.id)).toBeUndefined();
  });

  it('rejects a create without a valid number with the field message', async () => {
    const error = await harness.api().createContact({ number: '12' }).catch((e: unknown) => e);
    expect(isHttpError(error) && error.code).toBe('HTTP_VALIDATION');
    expect(isHttpError(error) && error.hint).toContain('number: The number format is invalid.');
  });

  it('lists and creates tags, tags and untags a contact by id', async () => {
    const api = harness.api();
    const tags = await api.listTags({ page: 1, pageSize: 50, search: 'lea' });
    expect(tags.records.map((t) => t.label)).toContain('lead');
    const tag = await api.createTag('Spring Promo');
    expect(tag).toMatchObject({ label: 'Spring Promo' });
    const contact = (await api.listContacts({ page: 1, pageSize: 1 })).records[0];
    if (contact === undefined) throw new Error('no contact');
    await api.tagContact(contact.id, tag.id);
    expect((await api.getContact(contact.id))?.tags.map((t) => t.id)).toContain(tag.id);
    await api.untagContact(contact.id, tag.id);
    expect((await api.getContact(contact.id))?.tags.map((t) => t.id)).not.toContain(tag.id);
  });

  it('lists conversations (bare array, offset paging), gets one, pages its messages', async () => {
    const api = harness.api();
    const all = await api.listConversations({ offset: 0, limit: 100, filter: 'all' });
    expect(all.length).toBeGreaterThan(2);
    const second = await api.listConversations({ offset: 1, limit: 1, filter: 'all' });
    expect(second.map((c) => c.id)).toEqual([all[1]?.id]);
    const conversation = all[0];
    if (conversation === undefined) throw new Error('no conversation');
    expect((await api.getConversation(conversation.id))?.contact_id).toBe(conversation.contact_id);
    const messages = await api.listMessages(conversation.id, { page: 1, pageSize: 50 });
    expect(messages.records.length).toBeGreaterThan(0);
    expect(messages.records.every((m) => m.conversation_id === conversation.id)).toBe(true);
  });

  it('served every operation of the table at least once', () => {
    const byOperation = (harness.sandbox.stats()['byOperation'] ?? {}) as Record<string, number>;
    const unserved = (Object.keys(OPERATIONS) as OperationName[]).filter((name) => (byOperation[name] ?? 0) === 0);
    expect(unserved).toEqual([]);
  });

  it('refuses an id that is not a Salesmsg id before any call', async () => {
    await expect(harness.api().getContact('abc')).rejects.toMatchObject({ code: 'SALESMSG_BAD_ID' });
  });
});

describe('createSalesmsgClient', () => {
  it('talks to an origin (the /pub/v2.3 prefix is added) with a Personal Access Token', async () => {
    const client = createSalesmsgClient({ token: harness.tokens.full, baseUrl: harness.url, accountId: 'client-test' });
    const page = await client.listContacts({ page: 2, pageSize: 10 });
    expect(page.meta?.currentPage).toBe(2);
    expect(client.http.stats.calls).toBe(1);
  });
});
