import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFerryError } from '../errors/index.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';
import type { InboxPut } from './webhook-inbox.js';

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-inbox-'));
  store = openSqliteStore(join(dir, 'ferry.db'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function delivery(deliveryId: string, orderKey?: string): InboxPut {
  return { connection: 'ghl', trigger: 'ContactCreate', deliveryId, orderKey, body: Buffer.from(`{"id":"${deliveryId}"}`) };
}

function nextIds(limit = 100): string[] {
  return store.inboxNext(limit).map((row) => row.deliveryId);
}

describe('webhook inbox', () => {
  it('stores a delivery once, byte for byte, and tells a redelivery apart', () => {
    const body = Buffer.from([0x7b, 0x00, 0xff, 0x7d]);
    const receivedAt = new Date('2024-05-01T10:00:00.000Z');
    const first = store.inboxPut({ connection: 'ghl', trigger: 'ContactCreate', deliveryId: 'd1', orderKey: 'c1', body, receivedAt });
    const again = store.inboxPut({ connection: 'ghl', trigger: 'ContactCreate', deliveryId: 'd1', body: Buffer.from('other') });
    const otherConnection = store.inboxPut({ connection: 'salesmsg', trigger: 'contact.created', deliveryId: 'd1', body });

    expect(first.inserted).toBe(true);
    expect(again).toEqual({ inserted: false, id: first.id });
    expect(otherConnection.inserted).toBe(true);
    expect(otherConnection.id).not.toBe(first.id);

    const [row] = store.inboxNext(1);
    expect(row).toMatchObject({
      id: first.id,
      connection: 'ghl',
      trigger: 'ContactCreate',
      deliveryId: 'd1',
      orderKey: 'c1',
      receivedAt: '2024-05-01T10:00:00.000Z',
      status: 'pending',
      attempts: 0,
      lastError: undefined,
      processedAt: undefined,
    });
    expect(Buffer.compare(row?.body ?? Buffer.alloc(0), body)).toBe(0);
    expect(store.inboxDepth()).toBe(2);
  });

  it('hands out one delivery per order key at a time, oldest first, and the rest in arrival order', () => {
    for (const [id, key] of [['a1', 'A'], ['b1', 'B'], ['n1', undefined], ['a2', 'A'], ['n2', undefined], ['b2', 'B']] as const) {
      store.inboxPut(delivery(id, key));
    }
    expect(nextIds()).toEqual(['a1', 'b1', 'n1', 'n2']);
    expect(nextIds(2)).toEqual(['a1', 'b1']);

    const ids = new Map(store.inboxNext(100).map((row) => [row.deliveryId, row.id]));
    store.inboxMark(ids.get('a1') ?? -1, 'done');
    store.inboxMark(ids.get('n1') ?? -1, 'done');
    expect(nextIds()).toEqual(['b1', 'a2', 'n2']);

    // A failed delivery keeps its place: the next one of the same key waits behind it.
    store.inboxMark(ids.get('b1') ?? -1, 'failed', 'HTTP 503');
    expect(nextIds()).toEqual(['b1', 'a2', 'n2']);
    const b1 = store.inboxNext(100).find((row) => row.deliveryId === 'b1');
    expect(b1).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 503', processedAt: undefined });

    // Once it is given up, the key moves on.
    store.inboxMark(ids.get('b1') ?? -1, 'dead', 'HTTP 503 five times');
    expect(nextIds()).toEqual(['a2', 'n2', 'b2']);
    expect(store.inboxDepth()).toBe(3);
    expect(store.inboxCounts()).toEqual({ pending: 3, done: 2, failed: 0, dead: 1 });
  });

  it('records attempts, errors and the finish time; re-queues dead deliveries', () => {
    const { id } = store.inboxPut(delivery('d1'));
    store.inboxMark(id, 'failed', 'first');
    store.inboxMark(id, 'failed', 'second');
    store.inboxMark(id, 'dead');
    expect(store.inboxGet(id)).toMatchObject({ status: 'dead', attempts: 3, lastError: 'second' });
    expect(store.inboxGet(id)?.processedAt).toMatch(/Z$/);
    expect(store.inboxNext(10)).toEqual([]);

    store.inboxMark(id, 'pending');
    const [row] = store.inboxNext(10);
    expect(row).toMatchObject({ id, status: 'pending', attempts: 3, lastError: 'second', processedAt: undefined });

    store.inboxMark(id, 'done');
    expect(store.inboxGet(id)).toMatchObject({ status: 'done', attempts: 4, lastError: undefined });
    expect(store.inboxNext(10)).toEqual([]);
    expect(store.inboxDepth()).toBe(0);
    expect(store.inboxGet(9999)).toBeUndefined();
  });

  it('refuses to mark a delivery it does not have', () => {
    let error: unknown;
    try {
      store.inboxMark(404, 'done');
    } catch (failure) {
      error = failure;
    }
    expect(isFerryError(error) && error.code).toBe('STORE_UNKNOWN_DELIVERY');
  });

  it('prunes finished deliveries older than a date, and only those', () => {
    const done = store.inboxPut(delivery('old'));
    const pending = store.inboxPut(delivery('waiting'));
    const dead = store.inboxPut(delivery('dead'));
    store.inboxMark(done.id, 'done');
    store.inboxMark(dead.id, 'dead');

    expect(store.inboxPrune(new Date(Date.now() - 60_000))).toBe(0);
    expect(store.inboxPrune(new Date(Date.now() + 60_000))).toBe(1);
    expect(store.inboxCounts()).toEqual({ pending: 1, done: 0, failed: 0, dead: 1 });
    expect(nextIds()).toEqual(['waiting']);
    expect(pending.inserted).toBe(true);
    // A pruned id is no longer a duplicate.
    expect(store.inboxPut(delivery('old')).inserted).toBe(true);
  });
});
