import type { JsonRecord } from '@ferry/core';
import { listedContact } from '../contact-views.js';
import type { Call, Endpoint } from '../endpoint.js';
import type { StoredContact } from '../model.js';
import { fail, LOCATION_FORBIDDEN, ok } from '../replies.js';
import { searchContacts, type SearchBody } from '../search-contacts.js';
import { queryPredicate } from '../search-filters.js';
import { bodyOf, namedLocation } from './lookups.js';

const LEGACY_MAX_LIMIT = 100;
const LEGACY_DEFAULT_LIMIT = 20;
const BUSINESS_DEFAULT_LIMIT = 25;

function integerParam(call: Call, name: string, fallback: number, max?: number): number {
  const raw = call.url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) fail(422, [`${name} must be a number conforming to the specified constraints`]);
  if (max !== undefined && n > max) fail(422, [`${name} must not be greater than ${max}`]);
  return n;
}

/** GET /contacts/ — deprecated cursor paging by (dateAdded, id) with `startAfter` + `startAfterId` and `meta`. */
function legacyList(call: Call): JsonRecord {
  const q = call.url.searchParams;
  const paging = q.has('startAfterId') || q.has('startAfter');
  // Past the first page the live API checks the location before anything else: a lost locationId is a 403.
  if (paging && !q.get('locationId')) fail(403, LOCATION_FORBIDDEN);
  const location = namedLocation(call, q.get('locationId') ?? undefined);
  const limit = integerParam(call, 'limit', LEGACY_DEFAULT_LIMIT, LEGACY_MAX_LIMIT) || LEGACY_DEFAULT_LIMIT;
  location.search.catchUp(call.now);
  const sorted = location.search.byAdded;
  let start = 0;
  const afterId = q.get('startAfterId') ?? undefined;
  const afterRaw = q.get('startAfter');
  let afterMs = afterRaw === null || afterRaw === '' ? undefined : Number(afterRaw);
  if (afterMs !== undefined && Number.isNaN(afterMs)) fail(422, ['startAfter must be a number conforming to the specified constraints']);
  if (afterMs === undefined && afterId !== undefined) afterMs = location.search.get(afterId)?.addedMs;
  if (afterMs !== undefined) start = sorted.upperBound(afterMs, afterId);

  const query = q.get('query');
  const matches = query === null || query.trim() === '' ? undefined : queryPredicate(query);
  const page: StoredContact[] = [];
  let i = start;
  for (; i < sorted.length && page.length < limit; i += 1) {
    const c = sorted.entries[i];
    if (c !== undefined && (matches === undefined || matches(c))) page.push(c);
  }
  let before = start;
  let total = sorted.length;
  if (matches !== undefined) {
    before = sorted.entries.slice(0, start).filter(matches).length;
    total = sorted.entries.filter(matches).length;
  }
  const last = page.at(-1);
  const more = last !== undefined && before + page.length < total;
  const currentPage = Math.floor(before / limit) + 1;
  const meta: JsonRecord = { total, currentPage, prevPage: currentPage > 1 ? currentPage - 1 : null };
  if (more) {
    const next = new URL(`${call.world.settings.baseUrl}/contacts/`);
    next.searchParams.set('locationId', location.id);
    next.searchParams.set('startAfter', String(last.addedMs));
    next.searchParams.set('startAfterId', last.id);
    next.searchParams.set('limit', String(limit));
    Object.assign(meta, { nextPageUrl: next.href, startAfterId: last.id, startAfter: last.addedMs, nextPage: currentPage + 1 });
  }
  return { contacts: page.map(listedContact), count: total, meta };
}

export const listingEndpoints: readonly Endpoint[] = [
  {
    operationId: 'search-contacts-advanced',
    handle(call) {
      const body = bodyOf(call) as unknown as SearchBody;
      const location = namedLocation(call, body.locationId, 'body');
      location.search.catchUp(call.now);
      const outcome = searchContacts(location.search, body);
      if (!outcome.ok) fail(outcome.status, outcome.status === 422 ? outcome.messages : outcome.messages.join('; '));
      return ok({ contacts: outcome.contacts, total: outcome.total });
    },
  },
  {
    operationId: 'get-contacts',
    handle(call) {
      return ok(legacyList(call));
    },
  },
  {
    operationId: 'get-contacts-by-businessId',
    handle(call) {
      const location = namedLocation(call, call.url.searchParams.get('locationId') ?? undefined);
      const limit = integerParam(call, 'limit', BUSINESS_DEFAULT_LIMIT) || BUSINESS_DEFAULT_LIMIT;
      const skip = integerParam(call, 'skip', 0);
      const query = call.url.searchParams.get('query');
      const matches = query === null || query.trim() === '' ? undefined : queryPredicate(query);
      const members = location
        .idsByBusiness(call.params['businessId'] ?? '')
        .map((id) => location.contacts.get(id))
        .filter((c): c is StoredContact => c !== undefined && (matches === undefined || matches(c)))
        .sort((a, b) => a.addedMs - b.addedMs || (a.id < b.id ? -1 : 1));
      return ok({ contacts: members.slice(skip, skip + limit).map(listedContact), count: members.length });
    },
  },
  {
    operationId: 'get-duplicate-contact',
    handle(call) {
      const q = call.url.searchParams;
      const location = namedLocation(call, q.get('locationId') ?? undefined);
      const email = q.get('email') ?? undefined;
      const number = q.get('number') ?? undefined;
      if (email === undefined && number === undefined) fail(422, ['email or number should not be empty']);
      // With duplicates allowed the API looks for email first, then phone; otherwise in the location's order.
      const priority = location.duplicates.allowDuplicates ? (['email', 'phone'] as const) : location.duplicates.priority;
      const match = location.findDuplicate(email, number, priority);
      return ok({ contact: match === undefined ? null : listedContact(match.contact) });
    },
  },
];
