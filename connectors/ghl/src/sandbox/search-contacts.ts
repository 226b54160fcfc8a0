import type { JsonRecord } from '@ferry/core';
import { SEARCH_MAX_STANDARD_PAGING } from '../spec/errata.js';
import { searchItem } from './contact-views.js';
import type { StoredContact } from './model.js';
import { compileFilter, queryPredicate, timeRangeOf, type ContactPredicate } from './search-filters.js';
import type { SearchIndex } from './search-index.js';
import type { SortedContacts } from './sorted-contacts.js';

/** The body of POST /contacts/search after schema validation. */
export interface SearchBody {
  readonly locationId: string;
  readonly pageLimit: number;
  readonly page?: number;
  readonly searchAfter?: readonly (string | number)[];
  readonly filters?: readonly unknown[];
  readonly sort?: readonly { readonly field: string; readonly direction: 'asc' | 'desc' }[];
  readonly query?: string;
}

export type SearchOutcome =
  | { readonly ok: true; readonly contacts: JsonRecord[]; readonly total: number }
  | { readonly ok: false; readonly status: 400 | 422; readonly messages: string[] };

type SortValue = string | number;
type SortKey = (c: StoredContact) => SortValue;

const SORT_KEYS: Readonly<Record<string, SortKey>> = {
  dateAdded: (c) => c.addedMs,
  dateUpdated: (c) => c.updatedMs,
  email: (c) => c.email?.toLowerCase() ?? '',
  firstNameLowerCase: (c) => c.firstName?.toLowerCase() ?? '',
  lastNameLowerCase: (c) => c.lastName?.toLowerCase() ?? '',
  businessName: (c) => c.companyName?.toLowerCase() ?? '',
  dnd: (c) => (c.dnd ? 1 : 0),
  source: (c) => c.source?.toLowerCase() ?? '',
};

const DEFAULT_SORT = [{ field: 'dateAdded', direction: 'desc' as const }];

function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

interface Plan {
  readonly keys: readonly { readonly read: SortKey; readonly sign: 1 | -1 }[];
  /** Sign of the final id tie-break (the direction of the last key). */
  readonly idSign: 1 | -1;
}

function tupleOf(plan: Plan, c: StoredContact): SortValue[] {
  return [...plan.keys.map((k) => k.read(c)), c.id];
}

/** Compares a contact against a searchAfter tuple in the search's order: > 0 when the contact comes after it. */
function compareToCursor(plan: Plan, c: StoredContact, cursor: readonly SortValue[]): number {
  for (const [i, key] of plan.keys.entries()) {
    const wanted = cursor[i];
    if (wanted === undefined) return 1;
    const d = compareValues(key.read(c), typeof key.read(c) === 'number' ? Number(wanted) : wanted);
    if (d !== 0) return d * key.sign;
  }
  return compareValues(c.id, String(cursor[plan.keys.length] ?? '')) * plan.idSign;
}

/**
 * POST /contacts/search against one location's index: filters, free-text query, up to two sort keys, standard
 * paging (`page`, within the first 10,000 records) or `searchAfter` (the tuple each returned contact carries).
 * Sorting on dateAdded or dateUpdated alone walks the sorted index from a binary-searched start, so deep
 * searchAfter pages cost O(log n + page) when only time ranges filter.
 */
export function searchContacts(index: SearchIndex, body: SearchBody): SearchOutcome {
  const messages: string[] = [];
  const predicates: ContactPredicate[] = [];
  const ranges = [];
  for (const [i, filter] of (body.filters ?? []).entries()) {
    const compiled = compileFilter(filter, `filters.${i}`);
    if (!compiled.ok) messages.push(compiled.message);
    else {
      const range = timeRangeOf(filter);
      if (range === undefined) predicates.push(compiled.predicate);
      else ranges.push({ range, predicate: compiled.predicate });
    }
  }
  if (body.page !== undefined && body.searchAfter !== undefined) messages.push('page and searchAfter cannot be used together');
  const sort = body.sort === undefined || body.sort.length === 0 ? DEFAULT_SORT : body.sort;
  if (body.searchAfter !== undefined && body.searchAfter.length !== sort.length + 1) {
    messages.push(`searchAfter must be the searchAfter value of the last contact of the previous page (${sort.length + 1} values)`);
  }
  if (messages.length > 0) return { ok: false, status: 422, messages };
  if (body.query !== undefined && body.query.trim() !== '') predicates.push(queryPredicate(body.query));

  const page = body.page ?? 1;
  const skip = body.searchAfter === undefined ? (page - 1) * body.pageLimit : 0;
  if (body.searchAfter === undefined && skip >= SEARCH_MAX_STANDARD_PAGING) {
    return {
      ok: false,
      status: 400,
      messages: [`Standard pagination covers the first ${SEARCH_MAX_STANDARD_PAGING} records only; use searchAfter to read further`],
    };
  }
  const limit = body.searchAfter === undefined ? Math.min(body.pageLimit, SEARCH_MAX_STANDARD_PAGING - skip) : body.pageLimit;

  const plan: Plan = {
    keys: sort.map((s) => ({ read: SORT_KEYS[s.field] ?? SORT_KEYS['dateAdded'] ?? ((c) => c.addedMs), sign: s.direction === 'desc' ? -1 : 1 })),
    idSign: sort.at(-1)?.direction === 'desc' ? -1 : 1,
  };
  const first = sort[0];
  const indexed =
    sort.length === 1 && first !== undefined && (first.field === 'dateAdded' || first.field === 'dateUpdated')
      ? first.field === 'dateAdded'
        ? index.byAdded
        : index.byUpdated
      : undefined;

  if (indexed !== undefined && first !== undefined) {
    const field = first.field as 'dateAdded' | 'dateUpdated';
    const rest = [...predicates, ...ranges.filter((r) => r.range.field !== field).map((r) => r.predicate)];
    return walkIndex(indexed, ranges.filter((r) => r.range.field === field).map((r) => r.range), rest, plan, body, skip, limit);
  }
  return sortAndSlice(index, [...predicates, ...ranges.map((r) => r.predicate)], plan, body, skip, limit);
}

function matchesAll(predicates: readonly ContactPredicate[], c: StoredContact): boolean {
  for (const p of predicates) if (!p(c)) return false;
  return true;
}

function walkIndex(
  sorted: SortedContacts,
  ranges: readonly { gte?: number; gt?: number; lte?: number; lt?: number }[],
  predicates: readonly ContactPredicate[],
  plan: Plan,
  body: SearchBody,
  skip: number,
  limit: number,
): SearchOutcome {
  let lo = 0;
  let hi = sorted.length;
  for (const r of ranges) {
    if (r.gte !== undefined) lo = Math.max(lo, sorted.lowerBound(r.gte));
    if (r.gt !== undefined) lo = Math.max(lo, sorted.upperBound(r.gt));
    if (r.lte !== undefined) hi = Math.min(hi, sorted.upperBound(r.lte));
    if (r.lt !== undefined) hi = Math.min(hi, sorted.lowerBound(r.lt));
  }
  const total = hi <= lo ? 0 : predicates.length === 0 ? hi - lo : countMatches(sorted.entries, lo, hi, predicates);
  const ascending = plan.idSign === 1;
  let from = ascending ? lo : hi - 1;
  const cursor = body.searchAfter;
  if (cursor !== undefined) {
    const time = Number(cursor[0]);
    const id = String(cursor[1] ?? '');
    from = ascending ? Math.max(lo, sorted.upperBound(time, id)) : Math.min(hi, sorted.lowerBound(time, id)) - 1;
  }
  const contacts: JsonRecord[] = [];
  let skipped = 0;
  for (let i = from; ascending ? i < hi : i >= lo; i += ascending ? 1 : -1) {
    const c = sorted.entries[i];
    if (c === undefined || !matchesAll(predicates, c)) continue;
    if (skipped < skip) {
      skipped += 1;
      continue;
    }
    contacts.push(searchItem(c, tupleOf(plan, c)));
    if (contacts.length >= limit) break;
  }
  return { ok: true, contacts, total };
}

function countMatches(entries: readonly StoredContact[], lo: number, hi: number, predicates: readonly ContactPredicate[]): number {
  let n = 0;
  for (let i = lo; i < hi; i += 1) {
    const c = entries[i];
    if (c !== undefined && matchesAll(predicates, c)) n += 1;
  }
  return n;
}

function sortAndSlice(
  index: SearchIndex,
  predicates: readonly ContactPredicate[],
  plan: Plan,
  body: SearchBody,
  skip: number,
  limit: number,
): SearchOutcome {
  const matches = index.byAdded.entries.filter((c) => matchesAll(predicates, c));
  const compare = (a: StoredContact, b: StoredContact): number => {
    for (const key of plan.keys) {
      const d = compareValues(key.read(a), key.read(b));
      if (d !== 0) return d * key.sign;
    }
    return compareValues(a.id, b.id) * plan.idSign;
  };
  matches.sort(compare);
  let start = skip;
  const cursor = body.searchAfter;
  if (cursor !== undefined) {
    start = matches.findIndex((c) => compareToCursor(plan, c, cursor) > 0);
    if (start < 0) start = matches.length;
  }
  const contacts = matches.slice(start, start + limit).map((c) => searchItem(c, tupleOf(plan, c)));
  return { ok: true, contacts, total: matches.length };
}
