import { defineStream, type JsonRecord, type Page } from '@ferry/core';
import { clientOf } from '../config.js';
import { CONTACT_RECORD_SCHEMA, type GhlContact } from '../records/contact-record.js';
import { TAG_RECORD_SCHEMA } from '../records/related-records.js';
import { operationById, READ_SCOPE } from '../spec/operations.js';
import { idParams, onePage, requiredParam } from './stream-params.js';

const getContact = operationById('get-contact');
const byBusiness = operationById('get-contacts-by-businessId');
const duplicate = operationById('get-duplicate-contact');

const BUSINESS_PAGE_SIZE = 100;

/** One contact by id (GET /contacts/{contactId}): enrich a record, or read what a webhook named. */
export const contactStream = defineStream<GhlContact>({
  name: 'contact',
  description: 'One contact by id (GET /contacts/{contactId})',
  schema: CONTACT_RECORD_SCHEMA,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: READ_SCOPE,
  http: { method: getContact.method, path: getContact.path },
  params: idParams(['contactId'], { contactId: 'The contact to read' }),
  read(ctx, request) {
    const contactId = requiredParam(request.params, 'contactId', 'contact');
    return onePage(request.state, async () => {
      const contact = await clientOf(ctx).getContact(contactId);
      return contact === undefined ? [] : [contact];
    });
  },
});

/** A contact's tags as records (from GET /contacts/{contactId}); tags are lower-case on GHL. */
export const contactTagsStream = defineStream({
  name: 'contact.tags',
  description: "A contact's tags, one record per tag (from GET /contacts/{contactId})",
  schema: TAG_RECORD_SCHEMA,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: READ_SCOPE,
  http: { method: getContact.method, path: getContact.path },
  params: idParams(['contactId']),
  parent: { stream: 'contacts', param: 'contactId', from: 'id' },
  read(ctx, request) {
    const contactId = requiredParam(request.params, 'contactId', 'contact.tags');
    return onePage<JsonRecord>(request.state, async () => {
      const contact = await clientOf(ctx).getContact(contactId);
      return (contact?.tags ?? []).map((tag) => ({ id: `${contactId}:${tag}`, contactId, tag }));
    });
  },
});

/** The contacts of a business (GET /contacts/business/{businessId}), paged with skip/limit. */
export const businessContactsStream = defineStream<GhlContact>({
  name: 'business.contacts',
  description: 'Contacts of one business (GET /contacts/business/{businessId})',
  schema: CONTACT_RECORD_SCHEMA,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: READ_SCOPE,
  http: { method: byBusiness.method, path: byBusiness.path },
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['businessId'],
    properties: { businessId: { type: 'string', minLength: 1 }, query: { type: 'string' } },
  },
  async *read(ctx, request): AsyncGenerator<Page<GhlContact>> {
    const businessId = requiredParam(request.params, 'businessId', 'business.contacts');
    const query = typeof request.params['query'] === 'string' ? request.params['query'] : undefined;
    let skip = typeof request.state?.['skip'] === 'number' ? request.state['skip'] : 0;
    for (;;) {
      const page = await clientOf(ctx).contactsByBusiness(businessId, { limit: BUSINESS_PAGE_SIZE, skip, ...(query === undefined ? {} : { query }) });
      skip += page.contacts.length;
      yield { records: page.contacts, state: { skip }, ...(page.count === undefined ? {} : { total: page.count }) };
      if (page.contacts.length < BUSINESS_PAGE_SIZE || (page.count !== undefined && skip >= page.count)) return;
    }
  },
});

/** The contact GHL considers a duplicate of an email and/or phone (GET /contacts/search/duplicate). */
export const duplicateContactStream = defineStream<GhlContact>({
  name: 'contacts.duplicate',
  description: 'The existing contact with this email or phone, per the location’s duplicate setting (GET /contacts/search/duplicate)',
  schema: CONTACT_RECORD_SCHEMA,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: READ_SCOPE,
  http: { method: duplicate.method, path: duplicate.path },
  params: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: { email: { type: 'string', minLength: 1 }, phone: { type: 'string', minLength: 1, description: 'E.164, e.g. +14155550123' } },
  },
  read(ctx, request) {
    const email = typeof request.params['email'] === 'string' ? request.params['email'] : undefined;
    const phone = typeof request.params['phone'] === 'string' ? request.params['phone'] : undefined;
    if (email === undefined && phone === undefined) requiredParam(request.params, 'email', 'contacts.duplicate');
    return onePage(request.state, async () => {
      const found = await clientOf(ctx).findDuplicate({ ...(email === undefined ? {} : { email }), ...(phone === undefined ? {} : { phone }) });
      return found === undefined ? [] : [found];
    });
  },
});
