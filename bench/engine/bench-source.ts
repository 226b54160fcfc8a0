import { defineConnector, FerryError, type ConnectorContext, type Page, type ReadRequest } from '@ferry/core';
import { contactAt } from './records.js';

/** Records per page, like a paged API. */
export const PAGE_SIZE = 1000;

const contactSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    email: { type: 'string' },
    phone: { type: 'string' },
    company: { type: 'string' },
    address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' }, country: { type: 'string' } } },
    status: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    score: { type: 'number' },
    updated_at: { type: 'string', format: 'date-time' },
  },
  required: ['id'],
} as const;

function recordCount(ctx: ConnectorContext): number {
  const count = ctx.config['count'];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    throw new FerryError('BENCH_BAD_COUNT', `connection '${ctx.connection}' needs a whole number of records in config.count`, {
      hint: 'set `count:` under the connection in ferry.yaml',
    });
  }
  return count;
}

/** The offset the state says to resume from (0 on a first run). */
export function offsetOf(state: ReadRequest['state']): number {
  const offset = state?.['offset'];
  return typeof offset === 'number' ? offset : 0;
}

/** `count` generated contacts in pages of PAGE_SIZE; each page's state is the offset of the next record. */
async function* readContacts(ctx: ConnectorContext, request: ReadRequest): AsyncGenerator<Page> {
  const count = recordCount(ctx);
  for (let offset = offsetOf(request.state); offset < count; ) {
    const end = Math.min(count, offset + PAGE_SIZE);
    const records = [];
    for (let index = offset; index < end; index++) records.push(contactAt(index));
    offset = end;
    yield { records, state: { offset }, total: count };
  }
}

/** An in-memory source: contacts made on demand, so that a million of them never sit in memory at once. */
export const benchSource = defineConnector({
  name: 'bench-source',
  version: '1.0.0',
  description: 'Generated CRM contacts for the engine benchmark.',
  configSchema: {
    type: 'object',
    required: ['count'],
    additionalProperties: false,
    properties: { count: { type: 'integer', minimum: 0, description: 'How many contacts the stream yields.' } },
  },
  auth: [{ kind: 'none' }],
  streams: [
    {
      name: 'contacts',
      description: 'Generated contacts, in id order.',
      schema: contactSchema,
      primaryKey: 'id',
      cursorField: 'id',
      syncModes: ['full', 'incremental'],
      read: readContacts,
    },
  ],
  actions: [],
  triggers: [],
});
