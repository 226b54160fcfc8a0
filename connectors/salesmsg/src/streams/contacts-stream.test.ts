import { afterAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { closeAllPools, type CheckpointState, type ConnectorContext, type Page } from '@ferry/core';
import { checkPaging, checkResume, readAllPages } from '@ferry/core/testing';
import type { ContactRecord } from '../records/contact.js';
import { startSandbox, type SandboxHarness } from '../testing/sandbox-harness.js';
import { contactsStream } from './contacts.js';

let harness: SandboxHarness;
beforeEach(async () => {
  harness = await startSandbox({ seed: 11, size: 120 });
});
afterEach(async () => {
  await harness.close();
});
afterAll(async () => {
  await closeAllPools();
});

interface SnapshotContact {
  id: number;
  updated_at: string;
  created_at: string;
}

function snapshotContacts(): SnapshotContact[] {
  return harness.sandbox.snapshot()['contacts'] as SnapshotContact[];
}

function ids(pages: readonly Page[]): number[] {
  return pages.flatMap((page) => page.records.map((r) => r['id'] as number));
}

const byNumber = (x: number, y: number): number => x - y;

function listCalls(): number {
  const by = harness.sandbox.stats()['byOperation'] as Record<string, number>;
  return (by['contacts.list'] ?? 0) + (by['contacts.list-legacy'] ?? 0);
}

async function readFrom(ctx: ConnectorContext, state: CheckpointState | undefined, mode: 'full' | 'incremental' = 'incremental'): Promise<Page[]> {
  return readAllPages(contactsStream, ctx, { mode, ...(state === undefined ? {} : { state }) });
}

describe('contacts stream: paging', () => {
  it('pages to the end in updated_at order, every contact once, with the total', async () => {
    const ctx = harness.context({ config: { pageSize: 25 } });
    const pages = await checkPaging(ctx, { stream: contactsStream, mode: 'full' });
    expect(pages).toHaveLength(5);
    expect(pages[0]?.total).toBe(120);
    expect(new Set(ids(pages))).toEqual(new Set(snapshotContacts().map((c) => c.id)));
    const times = pages.flatMap((p) => p.records.map((r) => String(r['updated_at'])));
    expect([...times].sort()).toEqual(times);
  });

  it('resumes from every page exactly, even where a page boundary splits contacts updated in the same second', async () => {
    // Seven per page cuts through the seeded bulk imports (runs of contacts sharing one updated_at second).
    const ctx = harness.context({ config: { pageSize: 7 } });
    const contacts = snapshotContacts();
    const seconds = contacts.map((c) => c.updated_at);
    expect(new Set(seconds).size).toBeLessThan(seconds.length);
    const pages = await checkPaging(ctx, { stream: contactsStream, mode: 'incremental' });
    expect(await checkResume(ctx, { stream: contactsStream, mode: 'incremental', pages, maxChecks: 100 })).toBe(pages.length);
  });
});

describe('contacts stream: incremental', () => {
  it('picks up exactly what changed since the checkpoint, reading only the tail', async () => {
    const ctx = harness.context({ config: { pageSize: 20 } });
    const first = await readFrom(ctx, undefined);
    const state = first.at(-1)?.state;
    const [a, b] = snapshotContacts();
    if (a === undefined || b === undefined) throw new Error('no contacts');
    harness.sandbox.editContact(a.id, { first_name: 'Changed' });
    harness.sandbox.editContact(b.id, { email: 'b.changed@example.com' });
    const created = await harness.api().createContact({ number: '+13035550999', first_name: 'New' });

    const callsBefore = listCalls();
    const next = await readFrom(ctx, state);
    expect(ids(next).sort(byNumber)).toEqual([a.id, b.id, created.id].sort(byNumber));
    expect(next.flatMap((p) => p.records).find((r) => r['id'] === a.id)?.['first_name']).toBe('Changed');
    // The checkpoint's page and the one after it, not the 6 pages of a full read.
    expect(listCalls() - callsBefore).toBeLessThanOrEqual(2);

    const again = await readFrom(ctx, next.at(-1)?.state);
    expect(ids(again)).toEqual([]);
  });

  it('delivers a late record written inside the overlap window below the watermark, and nothing twice', async () => {
    const ctx = harness.context({ config: { pageSize: 20, overlapSeconds: 3600 } });
    const first = await readFrom(ctx, undefined);
    const state = first.at(-1)?.state;
    // A record that becomes visible late with an updated_at just under the watermark (replication lag).
    harness.sandbox.advanceClock(-30 * 60_000 - (Date.now() - Date.parse(String(state?.['watermark']))));
    const [victim] = snapshotContacts();
    if (victim === undefined) throw new Error('no contacts');
    harness.sandbox.editContact(victim.id, { last_name: 'Late' });
    const late = snapshotContacts().find((c) => c.id === victim.id);
    expect(late !== undefined && late.updated_at < String(state?.['watermark'])).toBe(true);

    const next = await readFrom(ctx, state);
    expect(ids(next)).toEqual([victim.id]);
  });

  it('returns contacts that moved or vanished while it read: none is skipped', async () => {
    const ctx = harness.context({ config: { pageSize: 20 } });
    const all = new Set(snapshotContacts().map((c) => c.id));
    const seen = new Set<number>();
    const deleted = new Set<number>();
    let pageIndex = 0;
    for await (const page of contactsStream.read(ctx, { mode: 'full', state: undefined, params: {} })) {
      const pageIds = page.records.map((record) => record['id'] as number);
      for (const id of pageIds) seen.add(id);
      pageIndex += 1;
      if (pageIndex === 2) {
        // Three contacts already read are updated (they jump to the end of the list)...
        for (const id of pageIds.slice(0, 3)) harness.sandbox.editContact(id, { first_name: 'Moved' });
      }
      if (pageIndex === 3) {
        // ...and two already read are deleted: every later contact slides back.
        for (const id of pageIds.slice(0, 2)) {
          harness.sandbox.removeContact(id);
          deleted.add(id);
        }
      }
    }
    const missing = [...all].filter((id) => !seen.has(id) && !deleted.has(id));
    expect(missing).toEqual([]);
  });

  it('steps back when the checkpoint page is past the end (contacts were deleted)', async () => {
    const ctx = harness.context({ config: { pageSize: 20 } });
    const pages = await readFrom(ctx, undefined);
    const state = pages.at(-1)?.state;
    const contacts = snapshotContacts();
    for (const contact of contacts.slice(0, 60)) harness.sandbox.removeContact(contact.id);
    const created = await harness.api().createContact({ number: '+13035550888' });
    const next = await readFrom(ctx, state);
    expect(ids(next)).toEqual([created.id]);
  });

  it('refuses a checkpoint it did not write, with a hint', async () => {
    const ctx = harness.context();
    await expect(readFrom(ctx, { cursor: 'x' })).rejects.toMatchObject({ code: 'SALESMSG_BAD_STATE', hint: expect.stringContaining('--full') as unknown });
  });
});

describe('contacts stream: routes', () => {
  it('reads with a read-only token through GET /contacts (POST /contacts/list needs contacts:write)', async () => {
    const ctx = harness.context({ token: harness.tokens.readOnly, config: { pageSize: 50 } });
    const pages = await readFrom(ctx, undefined);
    expect(ids(pages)).toHaveLength(120);
    expect(ctx.cache.get('salesmsg:contacts-route')).toBe('legacy');
    const stats = harness.sandbox.stats();
    expect((stats['byOperation'] as Record<string, number>)['contacts.list']).toBe(1);
    expect((stats['byStatus'] as Record<string, number>)['403']).toBe(1);
  });

  it("fails with the missing scope named when the route is pinned to 'list'", async () => {
    const ctx = harness.context({ token: harness.tokens.readOnly, config: { contactsRoute: 'list' } });
    await expect(readFrom(ctx, undefined)).rejects.toMatchObject({
      code: 'HTTP_MISSING_SCOPE',
      hint: expect.stringContaining('contacts:write') as unknown,
    });
  });

  it('reads only contacts created after a date (server-side filter of GET /contacts)', async () => {
    const ctx = harness.context({ config: { pageSize: 50 } });
    const contacts = snapshotContacts().sort((x, y) => x.created_at.localeCompare(y.created_at));
    const cut = contacts[99]?.created_at ?? '';
    const pages = await readAllPages(contactsStream, ctx, { mode: 'full', params: { createdAfter: cut } });
    const expected = contacts.filter((c) => c.created_at > cut).map((c) => c.id);
    expect(ids(pages).sort(byNumber)).toEqual(expected.sort(byNumber));
    expect((harness.sandbox.stats()['byOperation'] as Record<string, number>)['contacts.list'] ?? 0).toBe(0);
  });

  it('passes a search to the server', async () => {
    const ctx = harness.context({ config: { pageSize: 50 } });
    const pages = await readAllPages(contactsStream, ctx, { mode: 'full', params: { search: 'example.com' } });
    const records = pages.flatMap((p) => p.records as ContactRecord[]);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => (r.email ?? '').toLowerCase().includes('example.com'))).toBe(true);
  });
});
