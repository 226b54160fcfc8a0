import { defineAction, type JsonRecord } from '@ferry/core';
import { operation } from '../api-table.js';
import { salesmsgApi, type UpdateContactFields } from '../client/salesmsg-api.js';
import { settingsOf } from '../connection-settings.js';
import { requireE164 } from '../phone.js';
import { contactIdProperty, targetContactId } from './contact-target.js';

export interface UpdateContactInput extends JsonRecord {
  id?: number | string;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  number?: string | number;
}

/** Updates a contact's names, email or number (PUT /contacts/{id}, JSON body): the same PUT twice changes nothing more. */
export const contactsUpdate = defineAction<UpdateContactInput>({
  name: 'contacts.update',
  description: 'Update a contact (PUT /contacts/{id}, JSON body: first_name, last_name, email, number — normalised to E.164). The contact: input id, else the linked one.',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      id: contactIdProperty,
      first_name: { type: ['string', 'null'] },
      last_name: { type: ['string', 'null'] },
      email: { anyOf: [{ type: 'string', format: 'email' }, { type: 'null' }] },
      number: { type: ['string', 'integer'] },
    },
  },
  scope: 'contacts:write',
  idempotence: 'idempotent',
  http: { method: operation('contacts.update').method, path: operation('contacts.update').path },

  async run(ctx, request) {
    const id = targetContactId(request);
    const { input } = request;
    const fields: { -readonly [K in keyof UpdateContactFields]: UpdateContactFields[K] } = {};
    if (input.first_name !== undefined) fields.first_name = input.first_name;
    if (input.last_name !== undefined) fields.last_name = input.last_name;
    if (input.email !== undefined) fields.email = input.email === null ? null : input.email.trim().toLowerCase();
    if (input.number !== undefined) fields.number = requireE164(input.number, settingsOf(ctx.config).defaultCountry);
    const updated = await salesmsgApi(ctx.http).updateContact(id, fields, ctx.signal);
    return { outcome: 'updated', id: String(updated.id), record: updated };
  },

  async find(ctx, request) {
    return salesmsgApi(ctx.http).getContact(targetContactId(request), ctx.signal);
  },
});
