import { defineStream } from '@ferry/core';
import { salesmsgApi } from '../client/salesmsg-api.js';
import { contactSchema, type ContactRecord } from '../records/contact.js';
import { stringParam } from './stream-params.js';

/** Contacts matching a phone number, an email or a name (GET /contacts/search). */
export const contactsSearchStream = defineStream<ContactRecord>({
  name: 'contacts.search',
  description: 'Contacts matching a term — a phone number, an email or a name (GET /contacts/search). Params: term, limit (default 20, at most 100).',
  schema: contactSchema,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: 'contacts:read',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['term'],
    properties: { term: { type: 'string', minLength: 1 }, limit: { type: 'integer', minimum: 1, maximum: 100 } },
  },
  async *read(ctx, request) {
    const term = stringParam(request.params, 'term') ?? '';
    if (request.state?.['term'] === term && request.state['done'] === true) return;
    const limit = typeof request.params['limit'] === 'number' ? request.params['limit'] : 20;
    const found = await salesmsgApi(ctx.http).searchContacts(term, limit, ctx.signal);
    // The search may answer a contact twice (it matched on two fields): keys stay unique.
    const unique = [...new Map(found.map((c) => [c.id, c])).values()];
    yield { records: unique, state: { term, done: true } };
  },
});
