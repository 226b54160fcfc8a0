import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointState, ConnectorContext, JsonRecord, Page, StreamDef, SyncMode } from '@ferry/core';
import { startSandbox, type SandboxHarness } from '../testing/sandbox-harness.js';
import { contactsStream } from './contacts-stream.js';
import { legacyContactsStream } from './legacy-contacts-stream.js';
import { businessContactsStream } from './contact-streams.js';

async function readPages(stream: StreamDef, ctx: ConnectorContext, mode: SyncMode, state?: CheckpointState, params: JsonRecord = {}): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of stream.read(ctx, { mode, state, params })) pages.push(page);
  return pages;
}

function ids(pages: readonly Page[]): string[] {
  return pages.flatMap((p) => p.records.map((r) => String(r['id'])));
}

describe('contacts stream: full sync past 10,000 with searchAfter', () => {
  let harness: SandboxHarness;
  beforeAll(async () => {
    harness = await startSandbox({ size: 10_500, seed: 21, extra: { recordRequests: true } });
  });
  afterAll(() => harness.close());

  it('reads all 10,500 contacts once each, paging with searchAfter only', async () => {
    const pages = await readPages(contactsStream, harness.context(), 'full');
    const all = ids(pages);
    expect(all).toHaveLength(10_500);
    expect(new Set(all).size).toBe(10_500);
    expect(pages[0]?.total).toBe(10_500);
    const searches = harness.sandbox.requests().filter((r) => r.operationId === 'search-contacts-advanced');
    expect(searches).toHaveLength(pages.length);
    expect(searches.every((r) => (r.body as JsonRecord)['page'] === undefined)).toBe(true);
    expect(searches.slice(1).every((r) => Array.isArray((r.body as JsonRecord)['searchAfter']))).toBe(true);
    // Sorted by dateUpdated: what an incremental read continues from.
    const updated = pages.flatMap((p) => p.records.map((r) => Date.parse(String(r['dateUpdated']))));
    expect(updated.every((t, i) => i === 0 || t >= (updated[i - 1] ?? 0))).toBe(true);
    expect(pages.at(-1)?.state['watermark']).toBe(updated.at(-1));
  });
});

describe('contacts stream: incremental', () => {
  let harness: SandboxHarness;
  beforeAll(async () => {
    harness = await startSandbox({ size: 120, seed: 8, extra: { searchLagMs: 2_000 } });
  });
  afterAll(() => harness.close());

  it('picks up exactly what changed since the last read, and nothing twice', async () => {
    const ctx = harness.context({ config: { incrementalOverlapSeconds: 5, searchPageLimit: 50 } });
    const first = await readPages(contactsStream, ctx, 'incremental');
    expect(ids(first)).toHaveLength(120);
    const afterFirst = first.at(-1)?.state;

    const client = harness.client();
    const [a, b] = ids(first);
    await client.updateContact(a ?? '', { city: 'Lisbon' });
    await client.addTags(b ?? '', ['changed']);
    const created = await client.createContact({ firstName: 'Newcomer', email: 'newcomer@example.com' });
    const newId = 'contact' in created ? created.contact.id : '';

    // The search index lags by 2 s: nothing is visible yet, and the watermark does not move past the changes.
    const early = await readPages(contactsStream, ctx, 'incremental', afterFirst);
    expect(ids(early)).toEqual([]);
    harness.sandbox.advanceClock(2_500);
    const later = await readPages(contactsStream, ctx, 'incremental', early.at(-1)?.state);
    const byText = (x: string, y: string): number => x.localeCompare(y);
    expect(ids(later).sort(byText)).toEqual([a ?? '', b ?? '', newId].sort(byText));
    expect(later.flatMap((p) => p.records).find((r) => r['id'] === a)?.['city']).toBe('Lisbon');

    // The next read starts inside the overlap window again, and drops what it already delivered.
    const again = await readPages(contactsStream, ctx, 'incremental', later.at(-1)?.state);
    expect(ids(again)).toEqual([]);
  });

  it('resumes a read from any page state with exactly the records after that page', async () => {
    const ctx = harness.context({ config: { searchPageLimit: 25 } });
    const pages = await readPages(contactsStream, ctx, 'full');
    expect(pages.length).toBeGreaterThan(3);
    for (let k = 0; k < pages.length; k += 1) {
      const resumed = await readPages(contactsStream, ctx, 'full', pages[k]?.state);
      expect(ids(resumed)).toEqual(ids(pages.slice(k + 1)));
    }
  });
});

describe('deprecated list and business streams', () => {
  let harness: SandboxHarness;
  beforeAll(async () => {
    harness = await startSandbox({ size: 250, seed: 4, extra: { recordRequests: true } });
  });
  afterAll(() => harness.close());

  it('contacts.legacy pages with startAfter/startAfterId and keeps locationId on every page', async () => {
    const pages = await readPages(legacyContactsStream, harness.context(), 'full');
    expect(ids(pages)).toHaveLength(250);
    expect(new Set(ids(pages)).size).toBe(250);
    const requests = harness.sandbox.requests().filter((r) => r.operationId === 'get-contacts');
    expect(requests).toHaveLength(3);
    for (const request of requests) expect(request.query['locationId']).toBe(harness.locationId);
    expect(requests.slice(1).every((r) => r.query['startAfterId'] !== undefined && r.query['startAfter'] !== undefined)).toBe(true);
  });

  it('a page request without locationId is refused with 403, as on the live API', async () => {
    const response = await fetch(`${harness.url}/contacts/?startAfterId=x&startAfter=1`, {
      headers: { authorization: `Bearer ${harness.tokens.full}`, version: '2021-07-28' },
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { message: string }).message).toBe('The token does not have access to this location');
  });

  it('business.contacts reads the members of a business page by page', async () => {
    const snapshot = harness.sandbox.snapshot() as { locations: { contacts: { id: string; businessId?: string }[] }[] };
    const contacts = snapshot.locations[0]?.contacts ?? [];
    const businessId = contacts.find((c) => c.businessId !== undefined)?.businessId ?? '';
    const members = contacts.filter((c) => c.businessId === businessId).map((c) => c.id);
    const pages = await readPages(businessContactsStream, harness.context(), 'full', undefined, { businessId });
    expect(ids(pages).sort()).toEqual(members.sort());
  });
});
