import { readContactFields, storedNumber } from '../contact-input.js';
import type { Call, Endpoint } from '../endpoint.js';
import type { StoredContact } from '../model.js';
import { integerParam, paginate } from '../paginate.js';
import { errorReply, fail, NOT_FOUND, ok, validationReply } from '../replies.js';
import type { SandboxWorld } from '../sandbox-world.js';
import { shortContactView } from '../views.js';

const SORTABLE = ['updated_at', 'created_at', 'id', 'first_name', 'last_name'] as const;
type SortField = (typeof SORTABLE)[number];

export function pathContact(call: Call, name = 'id'): StoredContact {
  const raw = call.params[name] ?? '';
  const contact = /^\d+$/.test(raw) ? call.world.contacts.get(Number(raw)) : undefined;
  return contact ?? fail(NOT_FOUND);
}

function objectBody(call: Call): Record<string, unknown> {
  const body = call.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail(errorReply(400, 'The request body must be a JSON object.'));
  return body as Record<string, unknown>;
}

/** Does the contact match a free-text search (name, email, number digits), as the API's LIKE search would? */
function matches(contact: StoredContact, term: string): boolean {
  const needle = term.trim().toLowerCase();
  if (needle === '') return true;
  const name = `${contact.first_name ?? ''} ${contact.last_name ?? ''}`.toLowerCase();
  if (name.includes(needle) || (contact.email?.toLowerCase().includes(needle) ?? false)) return true;
  const digits = needle.replace(/\D/g, '');
  return digits.length >= 3 && digits.length >= needle.replace(/[\s()+.-]/g, '').length && contact.number.includes(digits);
}

function sortValue(contact: StoredContact, field: SortField): number | string {
  switch (field) {
    case 'updated_at':
      return contact.updatedMs;
    case 'created_at':
      return contact.createdMs;
    case 'id':
      return contact.id;
    case 'first_name':
      return (contact.first_name ?? '').toLowerCase();
    case 'last_name':
      return (contact.last_name ?? '').toLowerCase();
  }
}

/** The contacts in the asked order; updated_at and id orders come from the store's indexes (no sort per call). */
function ordered(world: SandboxWorld, field: SortField, descending: boolean, search: string): readonly StoredContact[] {
  let list: readonly StoredContact[];
  if (field === 'updated_at') list = world.contacts.inUpdatedOrder();
  else if (field === 'id' || field === 'created_at') list = world.contacts.inIdOrder();
  else {
    list = world.contacts.inIdOrder().sort((a, b) => {
      const x = sortValue(a, field);
      const y = sortValue(b, field);
      return x < y ? -1 : x > y ? 1 : a.id - b.id;
    });
  }
  if (search.trim() !== '') list = list.filter((c) => matches(c, search));
  return descending ? [...list].reverse() : list;
}

function sortOf(rawField: unknown, rawOrder: unknown): { field: SortField; descending: boolean } {
  const field = rawField === undefined || rawField === null || rawField === '' ? 'id' : rawField;
  if (typeof field !== 'string' || !(SORTABLE as readonly string[]).includes(field)) {
    fail(validationReply({ sortBy: [`The selected sort by is invalid (one of ${SORTABLE.join(', ')}).`] }));
  }
  const order = rawOrder === undefined || rawOrder === null || rawOrder === '' ? 'asc' : rawOrder;
  if (order !== 'asc' && order !== 'desc') fail(validationReply({ sortOrder: ['The selected sort order is invalid.'] }));
  return { field: field as SortField, descending: order === 'desc' };
}

function searchOf(raw: unknown): string {
  if (raw === undefined || raw === null) return '';
  if (typeof raw !== 'string') fail(validationReply({ search: ['The search must be a string.'] }));
  return raw;
}

/** POST /contacts/list: the JSON-bodied list. */
const list: Endpoint = {
  operation: 'contacts.list',
  handle(call) {
    const body = objectBody(call);
    const { field, descending } = sortOf(body['sortBy'], body['sortOrder']);
    const items = ordered(call.world, field, descending, searchOf(body['search']));
    const short = body['useShortResponse'] === true;
    return ok(
      paginate(
        items,
        {
          page: integerParam(body['page'], 'page', 1),
          perPage: integerParam(body['length'], 'length', 20, 1),
          maxPerPage: call.world.settings.maxPageSize,
          path: call.url.pathname,
        },
        (c) => (short ? shortContactView(c) : call.world.contactJson(c)),
      ),
    );
  },
};

interface DateFilter {
  readonly key: 'created_at' | 'updated_at';
  readonly operator: 'is_after' | 'is_before';
  readonly at: number;
}

/** `filtersList[i][filters][j][key|operator|value]`: the deprecated list's filters. */
function dateFilters(query: URLSearchParams): DateFilter[] {
  const groups = new Map<string, Record<string, string>>();
  for (const [name, value] of query) {
    const match = /^filtersList\[(\d+)\]\[filters\]\[(\d+)\]\[(key|operator|value)\]$/.exec(name);
    if (match === null) continue;
    const id = `${match[1] ?? ''}/${match[2] ?? ''}`;
    const group = groups.get(id) ?? {};
    group[match[3] ?? ''] = value;
    groups.set(id, group);
  }
  return [...groups.values()].map((group) => {
    const key = group['key'];
    const operator = group['operator'];
    const at = Date.parse(group['value'] ?? '');
    if (key !== 'created_at' && key !== 'updated_at') fail(validationReply({ filtersList: [`The filter key ${key ?? ''} is not supported.`] }));
    if (operator !== 'is_after' && operator !== 'is_before') fail(validationReply({ filtersList: [`The filter operator ${operator ?? ''} is not supported.`] }));
    if (Number.isNaN(at)) fail(validationReply({ filtersList: ['The filter value must be a date.'] }));
    return { key, operator, at };
  });
}

function passes(contact: StoredContact, filter: DateFilter): boolean {
  const value = filter.key === 'created_at' ? contact.createdMs : contact.updatedMs;
  return filter.operator === 'is_after' ? value > filter.at : value < filter.at;
}

/** GET /contacts: the deprecated list, the only one with a date filter. */
const listLegacy: Endpoint = {
  operation: 'contacts.list-legacy',
  handle(call) {
    const { field, descending } = sortOf(call.query.get('sortBy') ?? undefined, call.query.get('sortOrder') ?? undefined);
    const filters = dateFilters(call.query);
    let items = ordered(call.world, field, descending, searchOf(call.query.get('search') ?? undefined));
    if (filters.length > 0) items = items.filter((c) => filters.every((f) => passes(c, f)));
    return ok(
      paginate(
        items,
        {
          page: integerParam(call.query.get('page') ?? undefined, 'page', 1),
          perPage: integerParam(call.query.get('limit') ?? undefined, 'limit', 20, 1),
          maxPerPage: call.world.settings.maxPageSize,
          path: call.url.pathname,
        },
        (c) => call.world.contactJson(c),
      ),
    );
  },
};

/** GET /contacts/search?term=&limit=: exact numbers and emails first, then the free-text matches. */
const search: Endpoint = {
  operation: 'contacts.search',
  handle(call) {
    const term = call.query.get('term') ?? '';
    if (term.trim() === '') fail(validationReply({ term: ['The term field is required.'] }));
    const limit = Math.min(100, integerParam(call.query.get('limit') ?? undefined, 'limit', 20, 1));
    const found = new Map<number, StoredContact>();
    const number = /\d{7,}/.test(term.replace(/\D/g, '')) ? storedNumber(term) : undefined;
    for (const c of number === undefined ? [] : call.world.contacts.withNumber(number)) found.set(c.id, c);
    for (const c of term.includes('@') ? call.world.contacts.withEmail(term.trim()) : []) found.set(c.id, c);
    for (const c of call.world.contacts.inIdOrder()) {
      if (found.size >= limit) break;
      if (!found.has(c.id) && matches(c, term)) found.set(c.id, c);
    }
    return ok({ results: [...found.values()].slice(0, limit).map((c) => call.world.contactJson(c)) });
  },
};

const get: Endpoint = {
  operation: 'contacts.get',
  handle: (call) => ok(call.world.contactJson(pathContact(call))),
};

const create: Endpoint = {
  operation: 'contacts.create',
  handle(call) {
    const query = Object.fromEntries(call.query);
    const fields = readContactFields(query, true);
    const number = fields.number ?? '';
    if (call.world.settings.uniqueNumbers && call.world.contacts.withNumber(number).length > 0) {
      fail(validationReply({ number: ['The number has already been taken.'] }));
    }
    const contact = call.world.createContact({
      first_name: fields.first_name ?? null,
      last_name: fields.last_name ?? null,
      email: fields.email ?? null,
      number,
      country: 'US',
      owner_id: null,
      source: fields.source ?? 'api',
      phone_type: fields.phone_type ?? null,
      integration_vendor_id: null,
      contact_integration_id: fields.contact_integration_id ?? null,
    });
    return ok(call.world.contactJson(contact), 201);
  },
};

const update: Endpoint = {
  operation: 'contacts.update',
  handle(call) {
    const contact = pathContact(call);
    const fields = readContactFields(objectBody(call), false);
    call.world.touch(contact, (c) => {
      if (fields.first_name !== undefined) c.first_name = fields.first_name;
      if (fields.last_name !== undefined) c.last_name = fields.last_name;
      if (fields.email !== undefined) c.email = fields.email;
      if (fields.number !== undefined) c.number = fields.number;
    });
    return ok(call.world.contactJson(contact));
  },
};

const remove: Endpoint = {
  operation: 'contacts.delete',
  handle(call) {
    call.world.deleteContact(pathContact(call));
    return ok({ message: 'Contact deleted.' });
  },
};

function optChange(optOut: boolean): (call: Call) => ReturnType<Endpoint['handle']> {
  return (call) => {
    const contact = pathContact(call);
    const at = call.world.nowSecond();
    call.world.touch(
      contact,
      (c) => {
        c.opt_out = optOut;
        if (optOut) c.optOutMs = at;
        else c.optInMs = at;
      },
      optOut ? 'contact.opted_out' : 'contact.updated',
    );
    return ok(call.world.contactJson(contact));
  };
}

const optOut: Endpoint = { operation: 'contacts.opt-out', handle: optChange(true) };
const optIn: Endpoint = { operation: 'contacts.opt-in', handle: optChange(false) };

/** Literal routes (`/contacts/search`) come before `/contacts/{id}`: msw answers with the first match. */
export const contactEndpoints: readonly Endpoint[] = [list, listLegacy, search, get, create, update, remove, optOut, optIn];

