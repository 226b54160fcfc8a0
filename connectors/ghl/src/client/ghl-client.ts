import { FerryError, type HttpClient, type HttpResponse, type JsonRecord, type QueryValue } from '@ferry/core';
import { normalizeContact, searchCursorOf, type GhlContact } from '../records/contact-record.js';
import { withoutNulls, type GhlAppointment, type GhlNote, type GhlTask } from '../records/related-records.js';
import { SEARCH_MAX_PAGE_LIMIT } from '../spec/errata.js';
import { expandPath, operationById } from '../spec/operations.js';
import type {
  ContactInput,
  ContactUpdate,
  NoteInput,
  SearchPage,
  SearchQuery,
  SearchSort,
  TaskInput,
  UpsertResult,
} from './client-types.js';

interface CallOptions {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, QueryValue>>;
  readonly body?: unknown;
  /** A POST that may be sent again after a network failure (reads, set-like writes). */
  readonly retrySafe?: boolean;
  readonly allowStatus?: readonly number[];
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageOf(body: unknown): string {
  if (!isRecord(body)) return '';
  const message = body['message'];
  return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : '';
}

/** The API's way of saying "no such record" (400, not 404). */
function isNotFound(response: HttpResponse): boolean {
  return response.status === 400 && /not found/i.test(messageOf(response.body));
}

function unexpected(what: string, response: HttpResponse): FerryError {
  return new FerryError('GHL_UNEXPECTED_RESPONSE', `GHL answered ${what} with a body of an unexpected shape${response.traceId === undefined ? '' : ` (trace ${response.traceId})`}`, {
    hint: 'the API may have changed: report it with the trace id',
    details: { status: response.status, traceId: response.traceId },
  });
}

/** A 400 that is not "not found" (allowed through by `allowStatus`) is still a failure. */
function rejectUnlessOk(response: HttpResponse, what: string): void {
  if (response.status >= 200 && response.status < 300) return;
  throw new FerryError('GHL_REQUEST_REJECTED', `GHL refused ${what} (${response.status}): ${messageOf(response.body) || 'Bad Request'}${response.traceId === undefined ? '' : ` (trace ${response.traceId})`}`, {
    hint: 'check the ids and mapped fields this call sends',
    details: { status: response.status, traceId: response.traceId },
  });
}

function recordAt(response: HttpResponse, key: string, what: string): JsonRecord {
  const body = response.body;
  const value = isRecord(body) ? body[key] : undefined;
  if (!isRecord(value)) throw unexpected(what, response);
  return value;
}

function listAt(response: HttpResponse, key: string, what: string): JsonRecord[] {
  const body = response.body;
  const value = isRecord(body) ? body[key] : undefined;
  if (!Array.isArray(value)) throw unexpected(what, response);
  return value.filter(isRecord);
}

function stringsAt(response: HttpResponse, key: string): string[] {
  const body = response.body;
  const value = isRecord(body) ? body[key] : undefined;
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Drops undefined fields and (unless asked to keep them) `tags`, so an update never wipes tags by accident. */
function contactBody(input: JsonRecord, keepTags: boolean): JsonRecord {
  const body: JsonRecord = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || (key === 'tags' && !keepTags)) continue;
    body[key] = value;
  }
  return body;
}

export interface GhlClientOptions {
  /** The location (sub-account) every call acts for. */
  readonly locationId: string;
  /** Sent as the `Version` header (the spec allows only 2021-07-28). */
  readonly apiVersion?: string;
}

/**
 * Typed calls for every operation of the contacts API, over the core HTTP client (throttled, retried, typed
 * errors). The connector's streams and actions use it, and it works on its own without pipelines.
 */
export class GhlClient {
  readonly locationId: string;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(
    private readonly http: HttpClient,
    options: GhlClientOptions,
  ) {
    if (options.locationId === '') {
      throw new FerryError('GHL_LOCATION_MISSING', 'a GHL client needs the locationId it acts for', {
        hint: 'set locationId on the connection (the sub-account id from the GHL URL /location/<id>/…)',
      });
    }
    this.locationId = options.locationId;
    this.headers = options.apiVersion === undefined ? {} : { Version: options.apiVersion };
  }

  /** Sends one operation of the spec by its operationId. */
  async call<T = unknown>(operationId: string, options: CallOptions = {}): Promise<HttpResponse<T>> {
    const op = operationById(operationId);
    return this.http.request<T>({
      method: op.method,
      path: expandPath(op.path, options.params ?? {}),
      scope: op.scope,
      headers: this.headers,
      ...(options.query === undefined ? {} : { query: options.query }),
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.retrySafe === undefined ? {} : { retrySafe: options.retrySafe }),
      ...(options.allowStatus === undefined ? {} : { allowStatus: options.allowStatus }),
    });
  }

  // ---- contacts ---------------------------------------------------------------------------------------------

  /** The contact, or undefined when it does not exist (any more). */
  async getContact(contactId: string): Promise<GhlContact | undefined> {
    const response = await this.call('get-contact', { params: { contactId }, allowStatus: [400] });
    if (isNotFound(response)) return undefined;
    rejectUnlessOk(response, 'GET /contacts/{contactId}');
    return normalizeContact(recordAt(response, 'contact', 'GET /contacts/{contactId}'));
  }

  /**
   * POST /contacts/. Not retried after a network failure (it could create twice); when the location forbids
   * duplicates the API answers 400 and names the existing contact, which is returned as `duplicateOf`.
   */
  async createContact(input: ContactInput): Promise<{ contact: GhlContact } | { duplicateOf: string; matchingField: string }> {
    const response = await this.call('create-contact', { body: { ...contactBody(input, true), locationId: this.locationId }, allowStatus: [400] });
    if (response.status === 400) {
      const meta = isRecord(response.body) ? response.body['meta'] : undefined;
      if (isRecord(meta) && typeof meta['contactId'] === 'string') {
        return { duplicateOf: meta['contactId'], matchingField: typeof meta['matchingField'] === 'string' ? meta['matchingField'] : 'unknown' };
      }
      throw new FerryError('GHL_CREATE_REJECTED', `GHL refused to create the contact: ${messageOf(response.body) || 'Bad Request'}`, {
        hint: 'check the mapped fields (email, phone, dates) of this record',
        details: { status: 400, traceId: response.traceId },
      });
    }
    return { contact: normalizeContact(recordAt(response, 'contact', 'POST /contacts/')) };
  }

  /** POST /contacts/upsert: matched on email/phone per the location's duplicate setting; safe to retry. */
  async upsertContact(input: ContactInput & { readonly createNewIfDuplicateAllowed?: boolean }): Promise<UpsertResult> {
    const response = await this.call('upsert-contact', { body: { ...contactBody(input, true), locationId: this.locationId }, retrySafe: true });
    const created = isRecord(response.body) && response.body['new'] === true;
    return { contact: normalizeContact(recordAt(response, 'contact', 'POST /contacts/upsert')), created };
  }

  /**
   * PUT /contacts/{id}. `tags` in the body would REPLACE every tag of the contact, so they are sent only with
   * `replaceTags: true`; otherwise use addTags.
   */
  async updateContact(contactId: string, input: ContactUpdate, options: { readonly replaceTags?: boolean } = {}): Promise<GhlContact | undefined> {
    const response = await this.call('update-contact', { params: { contactId }, body: contactBody(input, options.replaceTags === true), allowStatus: [400] });
    if (isNotFound(response)) return undefined;
    rejectUnlessOk(response, `the update of contact ${contactId} (with duplicates disallowed, its email or phone may belong to another contact)`);
    return normalizeContact(recordAt(response, 'contact', 'PUT /contacts/{contactId}'));
  }

  /** DELETE /contacts/{id}; false when there was nothing to delete. */
  async deleteContact(contactId: string): Promise<boolean> {
    const response = await this.call('delete-contact', { params: { contactId }, allowStatus: [400] });
    if (isNotFound(response)) return false;
    rejectUnlessOk(response, `the deletion of contact ${contactId}`);
    return true;
  }

  /** GET /contacts/search/duplicate: the contact the location considers the same person, if any. */
  async findDuplicate(match: { readonly email?: string; readonly phone?: string }): Promise<GhlContact | undefined> {
    if ((match.email ?? '') === '' && (match.phone ?? '') === '') return undefined;
    const response = await this.call('get-duplicate-contact', {
      query: { locationId: this.locationId, email: match.email, number: match.phone },
    });
    const contact = isRecord(response.body) ? response.body['contact'] : undefined;
    return isRecord(contact) ? normalizeContact(contact) : undefined;
  }

  /** One page of POST /contacts/search, raw cursor included. */
  async searchPage(query: SearchQuery & { readonly searchAfter?: readonly (string | number)[]; readonly page?: number }): Promise<SearchPage> {
    const body: JsonRecord = {
      locationId: this.locationId,
      pageLimit: Math.min(SEARCH_MAX_PAGE_LIMIT, Math.max(1, query.pageLimit ?? SEARCH_MAX_PAGE_LIMIT)),
    };
    if (query.filters !== undefined && query.filters.length > 0) body['filters'] = query.filters;
    if (query.sort !== undefined && query.sort.length > 0) body['sort'] = query.sort;
    if (query.query !== undefined && query.query !== '') body['query'] = query.query;
    if (query.searchAfter !== undefined) body['searchAfter'] = query.searchAfter;
    else if (query.page !== undefined) body['page'] = query.page;
    const response = await this.call('search-contacts-advanced', { body, retrySafe: true });
    const items = listAt(response, 'contacts', 'POST /contacts/search');
    const total = isRecord(response.body) && typeof response.body['total'] === 'number' ? response.body['total'] : undefined;
    return {
      contacts: items.map(normalizeContact),
      cursors: items.map((item) => searchCursorOf(item)),
      ...(total === undefined ? {} : { total }),
    };
  }

  /** Every contact matching the query, page after page with searchAfter (works past 10,000 records). */
  async *searchContacts(query: SearchQuery = {}): AsyncGenerator<GhlContact> {
    const sort: readonly SearchSort[] = query.sort ?? [{ field: 'dateAdded', direction: 'asc' }];
    let after: readonly (string | number)[] | undefined;
    for (;;) {
      const page = await this.searchPage({ ...query, sort, ...(after === undefined ? {} : { searchAfter: after }) });
      yield* page.contacts;
      const last = page.cursors.at(-1);
      if (page.contacts.length < (query.pageLimit ?? SEARCH_MAX_PAGE_LIMIT) || last === undefined) return;
      after = last;
    }
  }

  /** GET /contacts/ (deprecated): one page from a `startAfter`/`startAfterId` cursor; locationId on every page. */
  async listContactsPage(cursor: { readonly startAfter?: number; readonly startAfterId?: string; readonly limit?: number; readonly query?: string } = {}): Promise<{
    contacts: GhlContact[];
    next: { startAfter: number; startAfterId: string } | undefined;
    total: number | undefined;
  }> {
    const response = await this.call('get-contacts', {
      query: {
        locationId: this.locationId,
        limit: cursor.limit ?? 100,
        startAfter: cursor.startAfter,
        startAfterId: cursor.startAfterId,
        query: cursor.query,
      },
    });
    const contacts = listAt(response, 'contacts', 'GET /contacts/').map(normalizeContact);
    const meta = isRecord(response.body) ? response.body['meta'] : undefined;
    const startAfter = isRecord(meta) ? meta['startAfter'] : undefined;
    const startAfterId = isRecord(meta) ? meta['startAfterId'] : undefined;
    const total = isRecord(meta) && typeof meta['total'] === 'number' ? meta['total'] : undefined;
    const next = typeof startAfter === 'number' && typeof startAfterId === 'string' && contacts.length > 0 ? { startAfter, startAfterId } : undefined;
    return { contacts, next, total };
  }

  /** GET /contacts/business/{businessId}: one page (skip/limit). */
  async contactsByBusiness(businessId: string, page: { readonly limit?: number; readonly skip?: number; readonly query?: string } = {}): Promise<{ contacts: GhlContact[]; count: number | undefined }> {
    const response = await this.call('get-contacts-by-businessId', {
      params: { businessId },
      query: { locationId: this.locationId, limit: String(page.limit ?? 100), skip: String(page.skip ?? 0), query: page.query },
    });
    const count = isRecord(response.body) && typeof response.body['count'] === 'number' ? response.body['count'] : undefined;
    return { contacts: listAt(response, 'contacts', 'GET /contacts/business/{businessId}').map(normalizeContact), count };
  }

  // ---- tags, followers, campaigns, workflows ------------------------------------------------------------------

  /** POST /contacts/{id}/tags: adds, keeps the others; returns every tag of the contact. */
  async addTags(contactId: string, tags: readonly string[]): Promise<string[]> {
    return stringsAt(await this.call('add-tags', { params: { contactId }, body: { tags }, retrySafe: true }), 'tags');
  }

  /** DELETE /contacts/{id}/tags: returns the tags left. */
  async removeTags(contactId: string, tags: readonly string[]): Promise<string[]> {
    return stringsAt(await this.call('remove-tags', { params: { contactId }, body: { tags } }), 'tags');
  }

  async addFollowers(contactId: string, followers: readonly string[]): Promise<{ followers: string[]; added: string[] }> {
    const response = await this.call('add-followers-contact', { params: { contactId }, body: { followers }, retrySafe: true });
    return { followers: stringsAt(response, 'followers'), added: stringsAt(response, 'followersAdded') };
  }

  async removeFollowers(contactId: string, followers: readonly string[]): Promise<{ followers: string[]; removed: string[] }> {
    const response = await this.call('remove-followers-contact', { params: { contactId }, body: { followers } });
    return { followers: stringsAt(response, 'followers'), removed: stringsAt(response, 'followersRemoved') };
  }

  async addToCampaign(contactId: string, campaignId: string): Promise<void> {
    await this.call('add-contact-to-campaign', { params: { contactId, campaignId }, body: {}, retrySafe: true });
  }

  async removeFromCampaign(contactId: string, campaignId: string): Promise<void> {
    await this.call('remove-contact-from-campaign', { params: { contactId, campaignId } });
  }

  async removeFromAllCampaigns(contactId: string): Promise<void> {
    await this.call('remove-contact-from-every-campaign', { params: { contactId } });
  }

  /** Not retried blindly: a workflow may accept the same contact twice. */
  async addToWorkflow(contactId: string, workflowId: string, eventStartTime?: string): Promise<void> {
    await this.call('add-contact-to-workflow', { params: { contactId, workflowId }, body: eventStartTime === undefined ? {} : { eventStartTime } });
  }

  async removeFromWorkflow(contactId: string, workflowId: string): Promise<void> {
    await this.call('delete-contact-from-workflow', { params: { contactId, workflowId }, body: {} });
  }

  /** POST /contacts/bulk/tags/update/{type}: adds or removes tags on many contacts at once. */
  async bulkUpdateTags(type: 'add' | 'remove', contacts: readonly string[], tags: readonly string[], removeAllTags?: boolean): Promise<{ errorCount: number; responses: string[] }> {
    const response = await this.call('create-association', {
      params: { type },
      body: { contacts, tags, locationId: this.locationId, ...(removeAllTags === undefined ? {} : { removeAllTags }) },
      retrySafe: true,
    });
    const errorCount = isRecord(response.body) && typeof response.body['errorCount'] === 'number' ? response.body['errorCount'] : 0;
    return { errorCount, responses: stringsAt(response, 'responses') };
  }

  /** POST /contacts/bulk/business: sets (or, with null, clears) the business of many contacts. */
  async bulkSetBusiness(ids: readonly string[], businessId: string | null): Promise<string[]> {
    const response = await this.call('add-remove-contact-from-business', { body: { locationId: this.locationId, ids, businessId }, retrySafe: true });
    return stringsAt(response, 'ids');
  }

  // ---- tasks, notes, appointments -----------------------------------------------------------------------------

  async listTasks(contactId: string): Promise<GhlTask[]> {
    return listAt(await this.call('get-all-tasks', { params: { contactId } }), 'tasks', 'GET tasks').map((t) => withoutNulls<GhlTask>({ ...t, contactId: t['contactId'] ?? contactId }));
  }

  async getTask(contactId: string, taskId: string): Promise<GhlTask | undefined> {
    const response = await this.call('get-task', { params: { contactId, taskId }, allowStatus: [400] });
    if (isNotFound(response)) return undefined;
    rejectUnlessOk(response, `GET task ${taskId}`);
    return withoutNulls<GhlTask>({ contactId, ...recordAt(response, 'task', 'GET task') });
  }

  /** Not retried blindly (a retry could create the task twice). */
  async createTask(contactId: string, task: TaskInput): Promise<GhlTask> {
    const response = await this.call('create-task', { params: { contactId }, body: { ...task, completed: task.completed ?? false } });
    return withoutNulls<GhlTask>({ contactId, ...recordAt(response, 'task', 'POST task') });
  }

  async updateTask(contactId: string, taskId: string, task: Partial<TaskInput>): Promise<GhlTask | undefined> {
    const response = await this.call('update-task', { params: { contactId, taskId }, body: task, allowStatus: [400] });
    if (isNotFound(response)) return undefined;
    rejectUnlessOk(response, `the update of task ${taskId}`);
    return withoutNulls<GhlTask>({ contactId, ...recordAt(response, 'task', 'PUT task') });
  }

  async completeTask(contactId: string, taskId: string, completed = true): Promise<GhlTask | undefined> {
    const response = await this.call('update-task-completed', { params: { contactId, taskId }, body: { completed }, allowStatus: [400] });
    if (isNotFound(response)) return undefined;
    rejectUnlessOk(response, `the completion of task ${taskId}`);
    return withoutNulls<GhlTask>({ contactId, ...recordAt(response, 'task', 'PUT task completed') });
  }

  async deleteTask(contactId: string, taskId: string): Promise<boolean> {
    const response = await this.call('delete-task', { params: { contactId, taskId }, allowStatus: [400] });
    if (isNotFound(response)) return false;
    rejectUnlessOk(response, `the deletion of task ${taskId}`);
    return true;
  }

  async listNotes(contactId: string): Promise<GhlNote[]> {
    return listAt(await this.call('get-all-notes', { params: { contactId } }), 'notes', 'GET notes').map((n) => withoutNulls<GhlNote>({ ...n, contactId: n['contactId'] ?? contactId }));
  }

  async getNote(contactId: string, noteId: string): Promise<GhlNote | undefined> {
    const response = await this.call('get-note', { params: { contactId, id: noteId }, allowStatus: [400] });
    if (isNotFound(response)) return undefined;
    rejectUnlessOk(response, `GET note ${noteId}`);
    return withoutNulls<GhlNote>({ contactId, ...recordAt(response, 'note', 'GET note') });
  }

  /** Not retried blindly (a retry could create the note twice). */
  async createNote(contactId: string, note: NoteInput): Promise<GhlNote> {
    const response = await this.call('create-note', { params: { contactId }, body: note });
    return withoutNulls<GhlNote>({ contactId, ...recordAt(response, 'note', 'POST note') });
  }

  async updateNote(contactId: string, noteId: string, note: Partial<NoteInput>): Promise<GhlNote | undefined> {
    const response = await this.call('update-note', { params: { contactId, id: noteId }, body: note, allowStatus: [400] });
    if (isNotFound(response)) return undefined;
    rejectUnlessOk(response, `the update of note ${noteId}`);
    return withoutNulls<GhlNote>({ contactId, ...recordAt(response, 'note', 'PUT note') });
  }

  async deleteNote(contactId: string, noteId: string): Promise<boolean> {
    const response = await this.call('delete-note', { params: { contactId, id: noteId }, allowStatus: [400] });
    if (isNotFound(response)) return false;
    rejectUnlessOk(response, `the deletion of note ${noteId}`);
    return true;
  }

  async listAppointments(contactId: string): Promise<GhlAppointment[]> {
    return listAt(await this.call('get-appointments-for-contact', { params: { contactId } }), 'events', 'GET appointments').map((e) =>
      withoutNulls<GhlAppointment>({ ...e, contactId: e['contactId'] ?? contactId }),
    );
  }
}
