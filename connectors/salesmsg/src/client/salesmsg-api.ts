import { FerryError, type HttpClient } from '@ferry/core';
import { CONTACT_SORT, createdAfterFilter, operation, type OperationName } from '../api-table.js';
import { toContactRecord, type ContactRecord } from '../records/contact.js';
import { toConversationRecord, type ConversationRecord } from '../records/conversation.js';
import { toMessageRecord, type MessageRecord } from '../records/message.js';
import { toTagRecord, type TagRecord } from '../records/tag.js';
import { integerId, unexpectedResponse } from '../records/values.js';
import { callOperation } from './call-operation.js';
import { unwrapList, unwrapObject, type PageMeta } from './unwrap.js';

export interface ListPage<R> {
  readonly records: readonly R[];
  readonly meta: PageMeta | undefined;
}

export type SortOrder = 'asc' | 'desc';

export interface ContactListRequest {
  /** 1-based (the table's first page). */
  readonly page: number;
  readonly pageSize: number;
  readonly search?: string;
  readonly sortBy?: string;
  readonly sortOrder?: SortOrder;
}

export interface LegacyContactListRequest extends ContactListRequest {
  /** Only contacts created after this instant (the API's `is_after` filter on created_at). */
  readonly createdAfter?: string;
}

/** Fields of POST /contacts (sent as query parameters). */
export interface CreateContactFields {
  /** E.164. */
  readonly number: string;
  readonly first_name?: string;
  readonly last_name?: string;
  readonly email?: string;
  readonly phone_type?: string;
  readonly source?: string;
  readonly contact_integration_id?: string;
}

/** Fields of PUT /contacts/{id} (a JSON body). */
export interface UpdateContactFields {
  readonly first_name?: string | null;
  readonly last_name?: string | null;
  readonly email?: string | null;
  readonly number?: string;
}

export type Id = number | string;

/** The Salesmsg API as typed methods; every call goes through the given (throttled, retrying) HTTP client. */
export interface SalesmsgApi {
  /** POST /contacts/list (its scope is contacts:write, sic). */
  listContacts(request: ContactListRequest, signal?: AbortSignal): Promise<ListPage<ContactRecord>>;
  /** GET /contacts, the deprecated list: a read scope suffices, and it can filter on created_at. */
  listContactsLegacy(request: LegacyContactListRequest, signal?: AbortSignal): Promise<ListPage<ContactRecord>>;
  /** GET /contacts/search: free text (a phone number, an email, a name). */
  searchContacts(term: string, limit?: number, signal?: AbortSignal): Promise<ContactRecord[]>;
  /** GET /contacts/{id}; undefined when there is none. */
  getContact(id: Id, signal?: AbortSignal): Promise<ContactRecord | undefined>;
  /** POST /contacts. Not idempotent: see actions/contacts-create.ts for the safe way to create. */
  createContact(fields: CreateContactFields, signal?: AbortSignal): Promise<ContactRecord>;
  updateContact(id: Id, fields: UpdateContactFields, signal?: AbortSignal): Promise<ContactRecord>;
  /** False when the contact was already gone. */
  deleteContact(id: Id, signal?: AbortSignal): Promise<boolean>;
  /** PUT /contacts/opt-out/{id}; undefined when there is no such contact. */
  optOut(id: Id, signal?: AbortSignal): Promise<ContactRecord | undefined>;
  optIn(id: Id, signal?: AbortSignal): Promise<ContactRecord | undefined>;
  listTags(request: { page: number; pageSize: number; search?: string }, signal?: AbortSignal): Promise<ListPage<TagRecord>>;
  /** POST /tags?label=. Not idempotent: see actions/tag-resolver.ts. */
  createTag(label: string, signal?: AbortSignal): Promise<TagRecord>;
  tagContact(contactId: Id, tagId: Id, signal?: AbortSignal): Promise<void>;
  untagContact(contactId: Id, tagId: Id, signal?: AbortSignal): Promise<void>;
  listConversations(request: { offset: number; limit: number; filter?: string }, signal?: AbortSignal): Promise<ConversationRecord[]>;
  getConversation(id: Id, signal?: AbortSignal): Promise<ConversationRecord | undefined>;
  listMessages(conversationId: Id, request: { page: number; pageSize: number }, signal?: AbortSignal): Promise<ListPage<MessageRecord>>;
}

/** An id for a path: an integer or a digit string (ids come back from the link table as strings). */
export function pathId(value: Id, what: string): number {
  const id = integerId(value);
  if (id === undefined) {
    throw new FerryError('SALESMSG_BAD_ID', `'${String(value)}' is not a Salesmsg ${what} id`, {
      hint: `Salesmsg ids are positive integers: map the ${what}'s id (e.g. from the link table or the record's id field)`,
    });
  }
  return id;
}

function pageParams(name: OperationName, page: number, pageSize: number): Record<string, number> {
  const paging = operation(name).paging;
  if (paging.kind !== 'page') return {};
  // The table's first page is 1 unless it says 0; callers count from 1.
  return { [paging.page]: page - 1 + paging.first, [paging.size]: pageSize };
}

function listOf<R>(body: unknown, name: OperationName, read: (raw: unknown) => R): ListPage<R> {
  const listing = unwrapList(body, operation(name).unwrap, name);
  return { records: listing.items.map(read), meta: listing.meta };
}

function optional(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}

export function salesmsgApi(http: HttpClient): SalesmsgApi {
  return {
    async listContacts(request, signal) {
      const response = await callOperation(http, 'contacts.list', {
        params: {
          ...pageParams('contacts.list', request.page, request.pageSize),
          search: request.search,
          [CONTACT_SORT.byParam]: request.sortBy,
          [CONTACT_SORT.orderParam]: request.sortOrder,
          useShortResponse: false,
        },
        // A read despite the POST: sending it twice changes nothing.
        retrySafe: true,
        ...optional(signal),
      });
      return listOf(response.body, 'contacts.list', toContactRecord);
    },

    async listContactsLegacy(request, signal) {
      const response = await callOperation(http, 'contacts.list-legacy', {
        params: {
          ...pageParams('contacts.list-legacy', request.page, request.pageSize),
          search: request.search,
          [CONTACT_SORT.byParam]: request.sortBy,
          [CONTACT_SORT.orderParam]: request.sortOrder,
          ...(request.createdAfter === undefined ? {} : createdAfterFilter(request.createdAfter)),
        },
        ...optional(signal),
      });
      return listOf(response.body, 'contacts.list-legacy', toContactRecord);
    },

    async searchContacts(term, limit = 20, signal) {
      const response = await callOperation(http, 'contacts.search', { params: { term, limit }, ...optional(signal) });
      return [...listOf(response.body, 'contacts.search', toContactRecord).records];
    },

    async getContact(id, signal) {
      const response = await callOperation(http, 'contacts.get', { path: { id: pathId(id, 'contact') }, allowStatus: [404], ...optional(signal) });
      return response.status === 404 ? undefined : toContactRecord(unwrapObject(response.body, 'contact'));
    },

    async createContact(fields, signal) {
      const response = await callOperation(http, 'contacts.create', { params: { ...fields }, ...optional(signal) });
      return toContactRecord(unwrapObject(response.body, 'contact'));
    },

    async updateContact(id, fields, signal) {
      const response = await callOperation(http, 'contacts.update', { path: { id: pathId(id, 'contact') }, params: { ...fields }, ...optional(signal) });
      return toContactRecord(unwrapObject(response.body, 'contact'));
    },

    async deleteContact(id, signal) {
      const response = await callOperation(http, 'contacts.delete', { path: { id: pathId(id, 'contact') }, allowStatus: [404], ...optional(signal) });
      return response.status !== 404;
    },

    async optOut(id, signal) {
      const response = await callOperation(http, 'contacts.opt-out', { path: { id: pathId(id, 'contact') }, allowStatus: [404], ...optional(signal) });
      return response.status === 404 ? undefined : toContactRecord(unwrapObject(response.body, 'contact'));
    },

    async optIn(id, signal) {
      const response = await callOperation(http, 'contacts.opt-in', { path: { id: pathId(id, 'contact') }, allowStatus: [404], ...optional(signal) });
      return response.status === 404 ? undefined : toContactRecord(unwrapObject(response.body, 'contact'));
    },

    async listTags(request, signal) {
      const response = await callOperation(http, 'tags.list', {
        params: { ...pageParams('tags.list', request.page, request.pageSize), search: request.search },
        ...optional(signal),
      });
      const listing = unwrapList(response.body, operation('tags.list').unwrap, 'tags.list');
      return {
        records: listing.items.map((raw) => toTagRecord(raw) ?? fail('tag')),
        meta: listing.meta,
      };
    },

    async createTag(label, signal) {
      const response = await callOperation(http, 'tags.create', { params: { label }, ...optional(signal) });
      return toTagRecord(unwrapObject(response.body, 'tag')) ?? fail('tag');
    },

    async tagContact(contactId, tagId, signal) {
      await callOperation(http, 'contacts.tag', { path: { contactId: pathId(contactId, 'contact'), tagId: pathId(tagId, 'tag') }, ...optional(signal) });
    },

    async untagContact(contactId, tagId, signal) {
      await callOperation(http, 'contacts.untag', { path: { contactId: pathId(contactId, 'contact'), tagId: pathId(tagId, 'tag') }, ...optional(signal) });
    },

    async listConversations(request, signal) {
      const paging = operation('conversations.list').paging;
      const params = paging.kind === 'offset' ? { [paging.offset]: request.offset, [paging.limit]: request.limit } : {};
      const response = await callOperation(http, 'conversations.list', { params: { ...params, filter: request.filter }, ...optional(signal) });
      return [...listOf(response.body, 'conversations.list', toConversationRecord).records];
    },

    async getConversation(id, signal) {
      const response = await callOperation(http, 'conversations.get', { path: { id: pathId(id, 'conversation') }, allowStatus: [404], ...optional(signal) });
      return response.status === 404 ? undefined : toConversationRecord(unwrapObject(response.body, 'conversation'));
    },

    async listMessages(conversationId, request, signal) {
      const response = await callOperation(http, 'messages.list', {
        path: { conversationId: pathId(conversationId, 'conversation') },
        params: pageParams('messages.list', request.page, request.pageSize),
        ...optional(signal),
      });
      return listOf(response.body, 'messages.list', toMessageRecord);
    },
  };
}

function fail(what: string): never {
  throw unexpectedResponse(what, 'it has no integer id');
}
