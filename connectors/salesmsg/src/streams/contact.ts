import { defineStream } from '@ferry/core';
import { salesmsgApi } from '../client/salesmsg-api.js';
import { contactSchema, type ContactRecord } from '../records/contact.js';
import { idParam, idParamSchema } from './stream-params.js';

/** One contact by id (GET /contacts/{id}): none when it does not exist. */
export const contactStream = defineStream<ContactRecord>({
  name: 'contact',
  description: 'One contact by id (GET /contacts/{id}), with its tags, notes and custom fields. Param: contactId.',
  schema: contactSchema,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: 'contacts:read',
  params: { type: 'object', additionalProperties: false, required: ['contactId'], properties: { contactId: idParamSchema } },
  async *read(ctx, request) {
    const contactId = idParam(request.params, 'contactId');
    if (request.state?.['contactId'] === contactId && request.state['done'] === true) return;
    const contact = await salesmsgApi(ctx.http).getContact(contactId, ctx.signal);
    yield { records: contact === undefined ? [] : [contact], state: { contactId, done: true } };
  },
});
