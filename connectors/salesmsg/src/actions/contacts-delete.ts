import { defineAction, type JsonRecord } from '@ferry/core';
import { operation } from '../api-table.js';
import { salesmsgApi } from '../client/salesmsg-api.js';
import { contactIdProperty, targetContactId } from './contact-target.js';

/** Deletes a contact (DELETE /contacts/{id}); one already gone is left as it is. */
export const contactsDelete = defineAction<JsonRecord>({
  name: 'contacts.delete',
  description: 'Delete a contact (DELETE /contacts/{id}). The contact: input id, else the linked one. Already gone: unchanged.',
  input: { type: 'object', properties: { id: contactIdProperty } },
  scope: 'contacts:write',
  idempotence: 'idempotent',
  http: { method: operation('contacts.delete').method, path: operation('contacts.delete').path },

  async run(ctx, request) {
    const id = targetContactId(request);
    const deleted = await salesmsgApi(ctx.http).deleteContact(id, ctx.signal);
    return { outcome: deleted ? 'deleted' : 'unchanged', id: String(id) };
  },

  async find(ctx, request) {
    return salesmsgApi(ctx.http).getContact(targetContactId(request), ctx.signal);
  },
});
