import { defineConnector, type ActionDef, type ConnectorDef, type Page, type StreamDef } from '../contract/connector.js';
import type { JsonRecord } from '../contract/json-schema.js';
import { FerryError } from '../errors/ferry-error.js';

/**
 * A small in-memory connector for the suite's own tests, with switches that break it in the ways the
 * conformance checks must catch.
 */
export interface MemoryFlaws {
  /** Resume from a page's state re-reads that page's last record. */
  readonly resumeRepeatsLast?: boolean;
  /** Resume from a page's state skips the first record after it. */
  readonly resumeSkipsOne?: boolean;
  /** The second page starts with the first page's last record again. */
  readonly duplicateAcrossPages?: boolean;
  /** One record has no key. */
  readonly keylessRecord?: boolean;
  /** One record has a name that is a number, against the schema. */
  readonly schemaViolation?: boolean;
  /** States carry a Date, which does not survive JSON. */
  readonly nonJsonState?: boolean;
  /** The idempotent upsert creates again on every call. */
  readonly upsertCreatesTwice?: boolean;
}

export const memoryItems: JsonRecord[] = Array.from({ length: 23 }, (_, i) => ({ id: `i${String(i).padStart(2, '0')}`, name: `item ${i}` }));

export function memoryConnector(flaws: MemoryFlaws = {}, store = new Map<string, JsonRecord>()): ConnectorDef {
  const items: StreamDef = {
    name: 'items',
    description: 'Items, three at a time.',
    schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } }, required: ['id'], additionalProperties: false },
    primaryKey: 'id',
    cursorField: 'id',
    syncModes: ['full', 'incremental'],
    async *read(ctx, request) {
      await Promise.resolve();
      const pageSize = typeof ctx.config['pageSize'] === 'number' ? ctx.config['pageSize'] : 3;
      const after = request.state?.['after'];
      let next = typeof after === 'number' ? after + 1 : 0;
      if (typeof after === 'number' && flaws.resumeRepeatsLast === true) next -= 1;
      if (typeof after === 'number' && flaws.resumeSkipsOne === true) next += 1;
      let first = true;
      while (next < memoryItems.length) {
        const start = !first && flaws.duplicateAcrossPages === true && next === pageSize ? next - 1 : next;
        const records = memoryItems.slice(start, next + pageSize).map((item, index) => {
          if (flaws.keylessRecord === true && start + index === 4) return { name: item['name'] };
          if (flaws.schemaViolation === true && start + index === 5) return { ...item, name: 5 };
          return item;
        });
        const last = next + pageSize - 1 < memoryItems.length ? next + pageSize - 1 : memoryItems.length - 1;
        const page: Page = { records, state: flaws.nonJsonState === true ? { after: last, at: new Date(0) } : { after: last } };
        yield page;
        next = last + 1;
        first = false;
      }
    },
  };
  const upsert: ActionDef = {
    name: 'items.upsert',
    description: 'Creates or updates an item by id.',
    input: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } }, required: ['id'] },
    idempotence: 'idempotent',
    run(_ctx, request) {
      const id = typeof request.input['id'] === 'string' ? request.input['id'] : '';
      const existed = store.has(id) && flaws.upsertCreatesTwice !== true;
      store.set(id, request.input);
      return Promise.resolve({ outcome: existed ? 'updated' : 'created', id });
    },
    find(_ctx, request) {
      const id = request.input['id'];
      return Promise.resolve(store.get(typeof id === 'string' ? id : (request.linkedId ?? '')));
    },
  };
  return defineConnector({
    name: 'memory',
    version: '1.0.0',
    description: 'In-memory items for tests.',
    configSchema: { type: 'object', additionalProperties: false, properties: { pageSize: { type: 'integer', minimum: 1 } } },
    auth: [{ kind: 'none' }],
    streams: [items],
    actions: [upsert],
    triggers: [
      {
        name: 'item.created',
        description: 'An item was created.',
        kind: 'webhook',
        stream: 'items',
        verify(_ctx, delivery) {
          if (delivery.headers['x-token'] !== 'secret') throw new FerryError('WEBHOOK_REJECTED', 'bad token', { hint: 'send x-token' });
        },
        parse(delivery) {
          const body = JSON.parse(delivery.rawBody.toString('utf8')) as { id: string; item: JsonRecord };
          return { deliveryId: body.id, records: [body.item] };
        },
      },
    ],
  });
}
