import { defineAction, isHttpError, type ActionRequest, type ConnectorContext, type JsonRecord } from '@ferry/core';
import { operation } from '../api-table.js';
import { salesmsgApi, type CreateContactFields, type UpdateContactFields } from '../client/salesmsg-api.js';
import { settingsOf } from '../connection-settings.js';
import { requireE164 } from '../phone.js';
import type { ContactRecord } from '../records/contact.js';
import { findContactByKeys, matchOrder, type ContactKeys } from './contact-lookup.js';

export interface CreateContactInput extends JsonRecord {
  number: string | number;
  first_name?: string;
  last_name?: string;
  email?: string;
  phone_type?: string;
  source?: string;
  contact_integration_id?: string;
}

const text = { type: 'string' } as const;

/** Failures after which the create may or may not have happened on the server. */
const AMBIGUOUS = new Set(['HTTP_TIMEOUT', 'HTTP_NETWORK', 'HTTP_SERVER', 'HTTP_MALFORMED_RESPONSE']);

function keysOf(ctx: ConnectorContext, input: CreateContactInput): ContactKeys {
  const { defaultCountry } = settingsOf(ctx.config);
  const email = typeof input.email === 'string' && input.email.trim() !== '' ? input.email.trim().toLowerCase() : undefined;
  return { number: requireE164(input.number, defaultCountry), email };
}

async function findExisting(ctx: ConnectorContext, request: ActionRequest<CreateContactInput>, keys: ContactKeys): Promise<ContactRecord | undefined> {
  const api = salesmsgApi(ctx.http);
  if (request.linkedId !== undefined && /^\d+$/.test(request.linkedId)) {
    const linked = await api.getContact(request.linkedId, ctx.signal);
    if (linked !== undefined) return linked;
  }
  return findContactByKeys(ctx, keys, matchOrder(request.match), settingsOf(ctx.config).defaultCountry);
}

/** The fields of an existing contact that differ from the input (names and email; the number it was found by). */
function changes(existing: ContactRecord, input: CreateContactInput, keys: ContactKeys): UpdateContactFields {
  const changed: { -readonly [K in keyof UpdateContactFields]: UpdateContactFields[K] } = {};
  if (input.first_name !== undefined && input.first_name !== existing.first_name) changed.first_name = input.first_name;
  if (input.last_name !== undefined && input.last_name !== existing.last_name) changed.last_name = input.last_name;
  if (keys.email !== undefined && keys.email !== existing.email?.trim().toLowerCase()) changed.email = keys.email;
  if (keys.number !== undefined && keys.number !== existing.number) changed.number = keys.number;
  return changed;
}

/**
 * Creates a contact unless it exists. The API has no upsert and no idempotency key, so before every create the
 * contact is looked up (the linked id, then the E.164 number, then the lower-cased email): a create replayed
 * after a crash — or a contact made in the app meanwhile — finds the existing one instead of making a second.
 * A create whose answer is lost (timeout, reset, 5xx) is looked up again before the error is reported.
 */
export const contactsCreate = defineAction<CreateContactInput>({
  name: 'contacts.create',
  description:
    'Create a contact (POST /contacts, fields as query parameters; number normalised to E.164). Searches first by the linked id, the number, then the email: a replay never makes a second contact. Option updateExisting (default true) updates the names/email of a contact it finds.',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['number'],
    properties: {
      number: { type: ['string', 'integer'], minLength: 1, description: 'Phone number; E.164, or national in defaultCountry' },
      first_name: text,
      last_name: text,
      email: { type: 'string', format: 'email' },
      phone_type: text,
      source: text,
      contact_integration_id: text,
    },
  },
  options: { type: 'object', additionalProperties: false, properties: { updateExisting: { type: 'boolean', default: true } } },
  scope: 'contacts:write',
  idempotence: 'search-before-create',
  http: { method: operation('contacts.create').method, path: operation('contacts.create').path },

  async run(ctx, request) {
    const api = salesmsgApi(ctx.http);
    const { input } = request;
    const keys = keysOf(ctx, input);
    const existing = await findExisting(ctx, request, keys);
    if (existing !== undefined) {
      const changed = changes(existing, input, keys);
      if (request.options['updateExisting'] === false || Object.keys(changed).length === 0) {
        return { outcome: 'unchanged', id: String(existing.id), record: existing };
      }
      const updated = await api.updateContact(existing.id, changed, ctx.signal);
      return { outcome: 'updated', id: String(updated.id), record: updated };
    }
    const fields: CreateContactFields = {
      number: keys.number ?? '',
      ...(input.first_name === undefined ? {} : { first_name: input.first_name }),
      ...(input.last_name === undefined ? {} : { last_name: input.last_name }),
      ...(keys.email === undefined ? {} : { email: keys.email }),
      ...(input.phone_type === undefined ? {} : { phone_type: input.phone_type }),
      ...(input.source === undefined ? {} : { source: input.source }),
      ...(input.contact_integration_id === undefined ? {} : { contact_integration_id: input.contact_integration_id }),
    };
    try {
      const created = await api.createContact(fields, ctx.signal);
      return { outcome: 'created', id: String(created.id), record: created };
    } catch (error) {
      if (!isHttpError(error) || !AMBIGUOUS.has(error.code)) throw error;
      const landed = await findContactByKeys(ctx, keys, ['number', 'email'], settingsOf(ctx.config).defaultCountry);
      if (landed === undefined) throw error;
      ctx.log.info({ id: landed.id }, 'the create answered with an error but the contact exists: using it');
      return { outcome: 'created', id: String(landed.id), record: landed };
    }
  },

  async find(ctx, request) {
    return findExisting(ctx, request, keysOf(ctx, request.input));
  },
});
