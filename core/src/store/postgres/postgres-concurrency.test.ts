import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawnFixture, until, waitForExit, waitForLine } from '../fixtures/spawn-fixture.js';
import type { InboxPut } from '../webhook-inbox.js';
import { testSchemas } from './fixtures/test-schemas.js';
import { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';

const schemas = testSchemas('shared');
const opened: PostgresStore[] = [];

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
});

afterAll(async () => {
  await schemas.dropAll();
});

function open(location: string, options: PostgresStoreOptions = {}): PostgresStore {
  const store = new PostgresStore(location, options);
  opened.push(store);
  return store;
}

function delivery(deliveryId: string, orderKey?: string): InboxPut {
  return { connection: 'ghl', trigger: 'ContactCreate', deliveryId, orderKey, body: Buffer.from(`{"id":"${deliveryId}"}`) };
}

/** Collects a child's stdout, for the line it prints when it is done. */
function stdoutOf(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  return () => out;
}

describe('two stores on one PostgreSQL schema', () => {
  it('never hand the same delivery to both; a store gets its own claims back until it marks them', () => {
    const location = schemas.newLocation();
    const a = open(location);
    const b = open(location);
    for (const id of ['a1', 'a2', 'n1', 'n2', 'b1']) a.inboxPut(delivery(id, id.startsWith('n') ? undefined : id[0]));

    expect(a.inboxNext(2).map((row) => row.deliveryId)).toEqual(['a1', 'n1']);
    // a1 and n1 are a's; a2 waits behind a1 whatever store asks.
    expect(b.inboxNext(10).map((row) => row.deliveryId)).toEqual(['n2', 'b1']);
    expect(a.inboxNext(10).map((row) => row.deliveryId)).toEqual(['a1', 'n1']);

    // Done: the next delivery of the key is free for anyone. Re-queued: free again. Failed: still a's.
    const ids = new Map(a.inboxNext(10).map((row) => [row.deliveryId, row.id]));
    a.inboxMark(ids.get('a1') ?? -1, 'done');
    a.inboxMark(ids.get('n1') ?? -1, 'pending');
    expect(b.inboxNext(10).map((row) => row.deliveryId)).toEqual(['a2', 'n1', 'n2', 'b1']);
    b.inboxMark(ids.get('n1') ?? -1, 'failed', 'HTTP 503');
    expect(a.inboxNext(10)).toEqual([]);
    expect(b.inboxNext(10).map((row) => row.deliveryId)).toEqual(['a2', 'n1', 'n2', 'b1']);
    expect(a.inboxDepth()).toBe(4);
  });

  it('give a delivery to another store once the claim of the first runs out', async () => {
    const location = schemas.newLocation();
    const crashed = open(location, { inboxLeaseMs: 300 });
    const survivor = open(location);
    crashed.inboxPut(delivery('d1'));
    expect(crashed.inboxNext(10).map((row) => row.deliveryId)).toEqual(['d1']);
    expect(survivor.inboxNext(10)).toEqual([]);
    // The first store never marks it (as if its process died): after the lease the other store takes it.
    await until(() => survivor.inboxNext(10).length === 1, 15_000);
    expect(crashed.inboxNext(10)).toEqual([]);
  });

  it('shared by processes: no batch lost, no delivery taken twice, deliveries of one key in order', async () => {
    const location = schemas.newLocation();
    const store = open(location);
    const names = ['p1', 'p2'];
    const batches = 30;
    const children = names.map((name) => spawnFixture('../postgres/fixtures/share-store.ts', [location, name, String(batches)]));
    const outputs = children.map(stdoutOf);
    await Promise.all(children.map((child) => waitForLine(child, 'ready')));

    const total = 120;
    for (let i = 0; i < total; i++) store.inboxPut(delivery(`d${i}`, i % 2 === 0 ? `key-${i % 8}` : undefined));
    store.setValue('test', 'all-in', '1');

    const exits = await Promise.all(children.map((child) => waitForExit(child)));
    expect(exits.map((exit) => [exit.code, exit.stderr])).toEqual(children.map(() => [0, '']));

    const taken = outputs.map((output) => {
      const line = output().split('\n').find((text) => text.startsWith('taken '));
      return JSON.parse(line?.slice('taken '.length) ?? '[]') as number[];
    });
    const all = taken.flat();
    expect(all).toHaveLength(total);
    expect(new Set(all).size).toBe(total);
    for (const own of taken) expect(own.length).toBeGreaterThan(0);
    expect(store.inboxCounts()).toEqual({ pending: 0, done: total, failed: 0, dead: 0 });

    // Each delivery was marked once, and within an order key each one finished after the one before it.
    const rows = all.map((id) => store.inboxGet(id)).filter((row) => row !== undefined);
    expect(rows.every((row) => row.attempts === 1)).toBe(true);
    const byKey = new Map<string, { id: number; at: string }[]>();
    for (const row of rows) if (row.orderKey !== undefined) byKey.set(row.orderKey, [...(byKey.get(row.orderKey) ?? []), { id: row.id, at: row.processedAt ?? '' }]);
    for (const finished of byKey.values()) {
      const inIdOrder = finished.toSorted((x, y) => x.id - y.id).map((row) => row.at);
      expect(inIdOrder).toEqual(inIdOrder.toSorted());
    }

    const linkKey = { sourceConnection: 'source', sourceStream: 'contacts', targetConnection: 'target', targetEntity: 'contacts' };
    for (const name of names) {
      expect(store.getCheckpoint({ pipeline: 'share', stream: 'contacts', partition: name })).toEqual({ batch: batches });
      expect(store.listDeadLetters({ pipeline: `share-${name}` })).toHaveLength(batches);
      expect(store.getValue(`share-${name}`, 'batch')).toBe(String(batches));
      expect(store.listRuns({ partition: name }).map((run) => run.status)).toEqual(['succeeded']);
      const own = Array.from({ length: batches }, (_, b) => Array.from({ length: 20 }, (__, i) => ({ ...linkKey, sourceId: `${name}-${b + 1}-${i}` }))).flat();
      const links = store.getLinks(own, `share-${name}`);
      expect(links.filter((link) => link !== undefined)).toHaveLength(own.length);
      expect(store.getLink({ ...linkKey, sourceId: 'shared-0' }, `share-${name}`)).toMatchObject({ targetId: 't-shared-0', hash: `hash-${batches}` });
    }
  });
});
