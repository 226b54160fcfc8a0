import { defineStream } from '@ferry/core';
import { settingsOf } from '../connection-settings.js';
import { contactSchema, type ContactRecord } from '../records/contact.js';
import { contactPages } from './contact-pages.js';
import { scanContacts } from './contact-scan.js';
import { stringParam } from './stream-params.js';

/**
 * Every contact, in updated_at order. Full and incremental reads are the same scan: a first read starts at the
 * beginning, a later one resumes from its checkpoint (watermark, overlap window, ids at the watermark) and
 * delivers only what changed since. See contact-scan.ts for how it stays exact while the list moves.
 */
export const contactsStream = defineStream<ContactRecord>({
  name: 'contacts',
  description:
    'Contacts (POST /contacts/list, or GET /contacts for read-only tokens), updated_at ascending; incremental reads resume at the watermark with an overlap window. Params: search (server-side text filter), createdAfter (only contacts created after this instant: GET /contacts filter).',
  schema: contactSchema,
  primaryKey: 'id',
  cursorField: 'updated_at',
  syncModes: ['full', 'incremental'],
  scope: 'contacts:read',
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      search: { type: 'string', minLength: 1, description: 'Free text the API filters on (name, email, number).' },
      createdAfter: { type: 'string', format: 'date-time', description: 'Only contacts created after this instant (ISO 8601).' },
    },
  },
  read(ctx, request) {
    const settings = settingsOf(ctx.config);
    const search = stringParam(request.params, 'search');
    const createdAfter = stringParam(request.params, 'createdAfter');
    const source = contactPages(ctx, {
      route: settings.contactsRoute,
      pageSize: settings.pageSize,
      ...(search === undefined ? {} : { search }),
      ...(createdAfter === undefined ? {} : { createdAfter }),
    });
    return scanContacts(source, { state: request.state, overlapMs: settings.overlapSeconds * 1000, log: ctx.log });
  },
});
