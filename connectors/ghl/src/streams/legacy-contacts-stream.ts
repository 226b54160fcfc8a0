import { defineStream, type Page } from '@ferry/core';
import { clientOf } from '../config.js';
import { CONTACT_RECORD_SCHEMA, type GhlContact } from '../records/contact-record.js';
import { operationById, READ_SCOPE } from '../spec/operations.js';

const LEGACY_PAGE_SIZE = 100;
const list = operationById('get-contacts');

/**
 * The deprecated GET /contacts/: cursor paging by `startAfter` + `startAfterId` from `meta`. Every page is asked
 * with locationId again (the next-page cursor alone gets a 403). For accounts or proxies that still need it;
 * `contacts` is the stream to use.
 */
export const legacyContactsStream = defineStream<GhlContact>({
  name: 'contacts.legacy',
  description: 'All contacts through the deprecated GET /contacts/ (startAfter/startAfterId paging); prefer contacts',
  schema: CONTACT_RECORD_SCHEMA,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: READ_SCOPE,
  http: { method: list.method, path: list.path },
  params: { type: 'object', additionalProperties: false, properties: { query: { type: 'string', description: 'Contact query' } } },
  async *read(ctx, request): AsyncGenerator<Page<GhlContact>> {
    const client = clientOf(ctx);
    const query = typeof request.params['query'] === 'string' ? request.params['query'] : undefined;
    let startAfter = typeof request.state?.['startAfter'] === 'number' ? request.state['startAfter'] : undefined;
    let startAfterId = typeof request.state?.['startAfterId'] === 'string' ? request.state['startAfterId'] : undefined;
    for (;;) {
      const page = await client.listContactsPage({
        limit: LEGACY_PAGE_SIZE,
        ...(startAfter === undefined ? {} : { startAfter }),
        ...(startAfterId === undefined ? {} : { startAfterId }),
        ...(query === undefined ? {} : { query }),
      });
      const last = page.contacts.at(-1);
      if (page.next !== undefined) {
        startAfter = page.next.startAfter;
        startAfterId = page.next.startAfterId;
      } else if (last !== undefined) {
        // The last page names no cursor: resume after its last contact all the same.
        startAfterId = last.id;
        const added = Date.parse(last.dateAdded ?? '');
        startAfter = Number.isNaN(added) ? startAfter : added;
      }
      const state = {
        ...(startAfter === undefined ? {} : { startAfter }),
        ...(startAfterId === undefined ? {} : { startAfterId }),
      };
      yield { records: page.contacts, state, ...(page.total === undefined ? {} : { total: page.total }) };
      if (page.next === undefined || page.contacts.length < LEGACY_PAGE_SIZE) return;
    }
  },
});
