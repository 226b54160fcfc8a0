import { defineAction, FerryError, type ActionRequest, type ActionResult, type ConnectorContext, type JsonRecord } from '@ferry/core';
import type { ContactInput, ContactUpdate } from '../client/client-types.js';
import type { GhlClient } from '../client/ghl-client.js';
import { clientOf } from '../config.js';
import type { GhlContact } from '../records/contact-record.js';
import { specSchema } from '../spec/json-schemas.js';
import { WRITE_SCOPE } from '../spec/operations.js';
import { fieldsOf, REPLACE_TAGS_OPTIONS, targetIdOf } from './action-inputs.js';
import { httpOf } from './operation-http.js';

const CREATE_INPUT = specSchema('CreateContactDto', {
  errata: true,
  omit: ['locationId'],
  closed: true,
  description: 'Contact fields (locationId comes from the connection)',
});
const UPSERT_INPUT = specSchema('UpsertContactDto', { errata: true, omit: ['locationId'], closed: true });
const UPDATE_INPUT = specSchema('UpdateContactDto', {
  errata: true,
  closed: true,
  extend: { id: { type: 'string', minLength: 1, description: 'The contact to update (default: the linked contact)' } },
});
const DELETE_INPUT = {
  type: 'object',
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, description: 'The contact to delete (default: the linked contact)' } },
};

/** Fields PUT /contacts/{id} accepts (no companyName, gender or locationId: the API answers 422 to them). */
const UPDATE_FIELDS = new Set(Object.keys((UPDATE_INPUT['properties'] as JsonRecord | undefined) ?? {}).filter((f) => f !== 'id'));

function tagsOf(input: JsonRecord): string[] {
  return Array.isArray(input['tags']) ? input['tags'].filter((t): t is string => typeof t === 'string' && t !== '') : [];
}

function replaceTags(request: ActionRequest): boolean {
  return request.options['replaceTags'] === true;
}

/** The update body for PUT: only fields the endpoint takes. Others are reported once per run, not sent. */
function updateBody(ctx: ConnectorContext, input: JsonRecord): ContactUpdate {
  const body: JsonRecord = {};
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(fieldsOf(input, ['id']))) {
    if (UPDATE_FIELDS.has(key)) body[key] = value;
    else dropped.push(key);
  }
  if (dropped.length > 0 && ctx.cache.get('ghl:update-dropped') === undefined) {
    ctx.cache.set('ghl:update-dropped', true);
    ctx.log.warn({ fields: dropped }, 'GHL cannot change these contact fields with an update; they were not sent');
  }
  return body;
}

/**
 * Updates a contact without ever wiping its tags by accident: without `replaceTags` the tags of the record are
 * added (POST /tags) rather than sent in the PUT, which would replace them all.
 */
async function updateExisting(ctx: ConnectorContext, client: GhlClient, contactId: string, input: JsonRecord, replace: boolean): Promise<GhlContact | undefined> {
  const body = updateBody(ctx, input);
  const tags = tagsOf(input);
  const updated = await client.updateContact(contactId, body, { replaceTags: replace });
  if (updated === undefined) return undefined;
  if (!replace && tags.length > 0) {
    const all = await client.addTags(contactId, tags);
    return { ...updated, tags: all };
  }
  return updated;
}

function result(outcome: ActionResult['outcome'], contact: GhlContact): ActionResult {
  return { outcome, id: contact.id, record: contact };
}

/** The contact a write would touch: the linked one, else the one GHL matches on the `match` fields. */
async function findContact(ctx: ConnectorContext, request: ActionRequest): Promise<GhlContact | undefined> {
  const client = clientOf(ctx);
  const id = typeof request.input['id'] === 'string' ? request.input['id'] : request.linkedId;
  if (id !== undefined && id !== '') {
    const linked = await client.getContact(id);
    if (linked !== undefined) return linked;
  }
  return findByMatch(client, request.input, request.match ?? ['email', 'phone']);
}

/**
 * The input for updating a contact found by one identity field: an email or phone that belongs to another
 * contact is left out (sending it would be refused as a duplicate), as the API's own upsert does.
 */
async function withoutForeignIdentity(ctx: ConnectorContext, client: GhlClient, found: GhlContact, input: JsonRecord): Promise<JsonRecord> {
  const out = { ...input };
  for (const field of ['email', 'phone'] as const) {
    const value = input[field];
    if (typeof value !== 'string' || value === '' || value.toLowerCase() === String(found[field] ?? '').toLowerCase()) continue;
    const owner = await client.findDuplicate(field === 'email' ? { email: value } : { phone: value });
    if (owner !== undefined && owner.id !== found.id) {
      delete out[field];
      ctx.log.warn({ contactId: found.id, otherContactId: owner.id, field }, `the ${field} of this record belongs to another GHL contact; it was not copied`);
    }
  }
  return out;
}

async function findByMatch(client: GhlClient, input: JsonRecord, match: readonly string[]): Promise<GhlContact | undefined> {
  for (const field of match) {
    const value = input[field];
    if (typeof value !== 'string' || value === '') continue;
    if (field !== 'email' && field !== 'phone') {
      throw new FerryError('GHL_MATCH_UNSUPPORTED', `GHL can match contacts on email or phone, not on '${field}'`, {
        hint: 'set `match: [email, phone]` (or one of them) on this step',
      });
    }
    const found = await client.findDuplicate(field === 'email' ? { email: value } : { phone: value });
    if (found !== undefined) return found;
  }
  return undefined;
}

/** POST /contacts/ — or, for a record already linked (or a duplicate the location refuses), an update. */
export const createContactAction = defineAction({
  name: 'contacts.create',
  description: 'Create a contact (POST /contacts/); a linked record updates its contact instead, and a refused duplicate updates the existing one',
  input: CREATE_INPUT,
  options: REPLACE_TAGS_OPTIONS,
  scope: WRITE_SCOPE,
  idempotence: 'none',
  http: httpOf('create-contact'),
  async run(ctx, request) {
    const client = clientOf(ctx);
    const input = fieldsOf(request.input);
    const replace = replaceTags(request);
    if (request.linkedId !== undefined && request.linkedId !== '') {
      const updated = await updateExisting(ctx, client, request.linkedId, input, replace);
      if (updated !== undefined) return result('updated', updated);
    }
    const created = await client.createContact(input as ContactInput);
    if ('contact' in created) return result('created', created.contact);
    const updated = await updateExisting(ctx, client, created.duplicateOf, input, replace);
    if (updated === undefined) {
      throw new FerryError('GHL_DUPLICATE_VANISHED', `GHL named contact ${created.duplicateOf} as a duplicate, then could not find it`, {
        hint: 'the contact was deleted meanwhile: run the pipeline again',
      });
    }
    return result('updated', updated);
  },
  find: findContact,
});

/**
 * POST /contacts/upsert: GHL matches on email/phone in the order of the location's "Allow Duplicate Contact"
 * setting. With the step's `match` the connector looks the contact up itself first, in that order.
 */
export const upsertContactAction = defineAction({
  name: 'contacts.upsert',
  description: 'Create or update a contact matched on email/phone (POST /contacts/upsert; with `match`, duplicate search first)',
  input: UPSERT_INPUT,
  options: REPLACE_TAGS_OPTIONS,
  scope: WRITE_SCOPE,
  idempotence: 'upsert',
  http: httpOf('upsert-contact'),
  async run(ctx, request) {
    const client = clientOf(ctx);
    const input = fieldsOf(request.input);
    const replace = replaceTags(request);
    if (request.linkedId !== undefined && request.linkedId !== '') {
      const updated = await updateExisting(ctx, client, request.linkedId, input, replace);
      if (updated !== undefined) return result('updated', updated);
    }
    if (request.match !== undefined && request.match.length > 0) {
      const existing = await findByMatch(client, input, request.match);
      if (existing !== undefined) {
        const fields = await withoutForeignIdentity(ctx, client, existing, input);
        const updated = await updateExisting(ctx, client, existing.id, fields, replace);
        if (updated !== undefined) return result('updated', updated);
      }
    }
    const tags = tagsOf(input);
    const upserted = await client.upsertContact(fieldsOf(input, replace ? [] : ['tags']) as ContactInput);
    let contact = upserted.contact;
    if (!replace && tags.length > 0) contact = { ...contact, tags: await client.addTags(contact.id, tags) };
    return result(upserted.created ? 'created' : 'updated', contact);
  },
  find: findContact,
});

/** PUT /contacts/{id}; `tags` are added unless `replaceTags: true`. */
export const updateContactAction = defineAction({
  name: 'contacts.update',
  description: "Update a contact (PUT /contacts/{contactId}); tags are added unless replaceTags: true",
  input: UPDATE_INPUT,
  options: REPLACE_TAGS_OPTIONS,
  scope: WRITE_SCOPE,
  idempotence: 'idempotent',
  http: httpOf('update-contact'),
  async run(ctx, request) {
    const contactId = targetIdOf(request, 'id', 'contact');
    const updated = await updateExisting(ctx, clientOf(ctx), contactId, fieldsOf(request.input), replaceTags(request));
    if (updated === undefined) {
      throw new FerryError('GHL_CONTACT_NOT_FOUND', `contact ${contactId} does not exist in GHL (any more)`, {
        hint: 'it was deleted or merged in GHL: use contacts.upsert to create it again, or skip such records with `where`',
        details: { contactId },
      });
    }
    return result('updated', updated);
  },
  find: findContact,
});

/** DELETE /contacts/{id}; deleting a contact that is already gone is not an error. */
export const deleteContactAction = defineAction({
  name: 'contacts.delete',
  description: 'Delete a contact (DELETE /contacts/{contactId})',
  input: DELETE_INPUT,
  scope: WRITE_SCOPE,
  idempotence: 'idempotent',
  http: httpOf('delete-contact'),
  async run(ctx, request) {
    const contactId = targetIdOf(request, 'id', 'contact');
    const deleted = await clientOf(ctx).deleteContact(contactId);
    return { outcome: deleted ? 'deleted' : 'unchanged', id: contactId };
  },
});
