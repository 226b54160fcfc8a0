import { defineAction, FerryError, type ActionDef, type JsonRecord } from '@ferry/core';
import { operation } from '../api-table.js';
import { salesmsgApi } from '../client/salesmsg-api.js';
import { contactIdProperty, targetContactId } from './contact-target.js';

/** contacts.opt-out / contacts.opt-in: a contact's SMS consent (PUT /contacts/opt-out|opt-in/{id}). */
function consentAction(optOut: boolean): ActionDef {
  const name = optOut ? 'contacts.opt-out' : 'contacts.opt-in';
  const op = operation(optOut ? 'contacts.opt-out' : 'contacts.opt-in');
  return defineAction<JsonRecord>({
    name,
    description: optOut
      ? 'Opt a contact out of messages (PUT /contacts/opt-out/{id}). The contact: input id, else the linked one.'
      : 'Opt a contact back in (PUT /contacts/opt-in/{id}). The contact: input id, else the linked one.',
    input: { type: 'object', properties: { id: contactIdProperty } },
    scope: 'contacts:write',
    idempotence: 'idempotent',
    http: { method: op.method, path: op.path },

    async run(ctx, request) {
      const id = targetContactId(request);
      const api = salesmsgApi(ctx.http);
      const contact = optOut ? await api.optOut(id, ctx.signal) : await api.optIn(id, ctx.signal);
      if (contact === undefined) {
        throw new FerryError('SALESMSG_CONTACT_NOT_FOUND', `Salesmsg has no contact ${id} to ${optOut ? 'opt out' : 'opt in'}`, {
          hint: 'the contact was deleted in Salesmsg, or the mapped id is wrong',
        });
      }
      return { outcome: 'updated', id: String(contact.id), record: contact };
    },

    async find(ctx, request) {
      return salesmsgApi(ctx.http).getContact(targetContactId(request), ctx.signal);
    },
  });
}

export const contactsOptOut = consentAction(true);
export const contactsOptIn = consentAction(false);
