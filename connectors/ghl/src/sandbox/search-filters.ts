import type { StoredContact } from './model.js';

/** A compiled filter: true when the contact matches. */
export type ContactPredicate = (contact: StoredContact) => boolean;

export type FilterResult = { readonly ok: true; readonly predicate: ContactPredicate } | { readonly ok: false; readonly message: string };

/** A top-level `range` on a time field, which the search can answer with a binary search instead of a scan. */
export interface TimeRange {
  readonly field: 'dateAdded' | 'dateUpdated';
  readonly gte?: number;
  readonly gt?: number;
  readonly lte?: number;
  readonly lt?: number;
}

type FieldValue = string | number | boolean | readonly string[] | undefined;

const TEXT_FIELDS: Readonly<Record<string, (c: StoredContact) => string | undefined>> = {
  id: (c) => c.id,
  firstName: (c) => c.firstName,
  lastName: (c) => c.lastName,
  firstNameLowerCase: (c) => c.firstName?.toLowerCase(),
  lastNameLowerCase: (c) => c.lastName?.toLowerCase(),
  fullNameLowerCase: (c) => [c.firstName, c.lastName].filter(Boolean).join(' ').toLowerCase() || undefined,
  contactName: (c) => [c.firstName, c.lastName].filter(Boolean).join(' ').toLowerCase() || undefined,
  email: (c) => c.email,
  phone: (c) => c.phone,
  companyName: (c) => c.companyName,
  businessName: (c) => c.companyName,
  address: (c) => c.address1,
  address1: (c) => c.address1,
  city: (c) => c.city,
  state: (c) => c.state,
  postalCode: (c) => c.postalCode,
  country: (c) => c.country,
  website: (c) => c.website,
  timezone: (c) => c.timezone,
  source: (c) => c.source,
  type: (c) => c.type,
  assignedTo: (c) => c.assignedTo,
  businessId: (c) => c.businessId,
};

const TIME_FIELDS: Readonly<Record<string, (c: StoredContact) => number | undefined>> = {
  dateAdded: (c) => c.addedMs,
  dateUpdated: (c) => c.updatedMs,
  dateOfBirth: (c) => (c.dateOfBirth === undefined ? undefined : Date.parse(c.dateOfBirth)),
};

const LIST_FIELDS: Readonly<Record<string, (c: StoredContact) => readonly string[]>> = {
  tags: (c) => c.tags,
  followers: (c) => c.followers,
};

function fieldReader(field: string): ((c: StoredContact) => FieldValue) | undefined {
  const text = TEXT_FIELDS[field];
  if (text !== undefined) return text;
  const time = TIME_FIELDS[field];
  if (time !== undefined) return time;
  const list = LIST_FIELDS[field];
  if (list !== undefined) return list;
  if (field === 'dnd') return (c) => c.dnd;
  const custom = /^customFields?\.(.+)$/.exec(field);
  if (custom !== null) {
    const id = custom[1];
    return (c) => c.customFields.find((f) => f.id === id)?.value;
  }
  return undefined;
}

/** Reads a time bound: epoch ms (number or digits) or an ISO date string. */
export function parseTime(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function isEmpty(value: FieldValue): boolean {
  return value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}

function textOf(value: unknown): string {
  return String(value).toLowerCase();
}

function equals(actual: FieldValue, wanted: unknown): boolean {
  if (actual === undefined) return false;
  if (Array.isArray(wanted)) return wanted.some((w) => equals(actual, w));
  if (Array.isArray(actual)) return actual.some((a) => textOf(a) === textOf(wanted));
  if (typeof actual === 'boolean') return actual === (wanted === true || wanted === 'true');
  if (typeof actual === 'number') return actual === parseTime(wanted);
  return textOf(actual) === textOf(wanted);
}

function contains(actual: FieldValue, wanted: unknown): boolean {
  if (actual === undefined) return false;
  const needle = textOf(wanted);
  if (Array.isArray(actual)) return actual.some((a) => textOf(a).includes(needle));
  return textOf(actual).includes(needle);
}

const RANGE_KEYS = ['gte', 'gt', 'lte', 'lt'] as const;

function compileRange(field: string, read: (c: StoredContact) => FieldValue, value: unknown, where: string): FilterResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: `${where}.value must be an object with gte, gt, lte or lt for the range operator` };
  }
  const bounds: Partial<Record<(typeof RANGE_KEYS)[number], number>> = {};
  for (const [key, raw] of Object.entries(value)) {
    if (!(RANGE_KEYS as readonly string[]).includes(key)) return { ok: false, message: `${where}.value.${key} is not a range bound (gte, gt, lte, lt)` };
    const parsed = parseTime(raw);
    if (parsed === undefined) return { ok: false, message: `${where}.value.${key} must be a date (ISO 8601) or epoch milliseconds` };
    bounds[key as (typeof RANGE_KEYS)[number]] = parsed;
  }
  if (Object.keys(bounds).length === 0) return { ok: false, message: `${where}.value needs at least one of gte, gt, lte, lt` };
  if (TIME_FIELDS[field] === undefined && !field.startsWith('customField')) {
    return { ok: false, message: `${where}: range works on dateAdded, dateUpdated, dateOfBirth and custom fields, not ${field}` };
  }
  return {
    ok: true,
    predicate: (c) => {
      const raw = read(c);
      const v = typeof raw === 'number' ? raw : parseTime(raw);
      if (v === undefined) return false;
      return (
        (bounds.gte === undefined || v >= bounds.gte) &&
        (bounds.gt === undefined || v > bounds.gt) &&
        (bounds.lte === undefined || v <= bounds.lte) &&
        (bounds.lt === undefined || v < bounds.lt)
      );
    },
  };
}

/** Compiles one filter or group (`{group: 'AND'|'OR', filters}`); `where` names it in error messages. */
export function compileFilter(filter: unknown, where: string): FilterResult {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return { ok: false, message: `${where} must be an object` };
  const f = filter as Record<string, unknown>;
  if (f['group'] !== undefined) {
    if (!Array.isArray(f['filters']) || f['filters'].length === 0) return { ok: false, message: `${where}.filters must be a non-empty array` };
    const parts: ContactPredicate[] = [];
    for (const [i, child] of f['filters'].entries()) {
      const compiled = compileFilter(child, `${where}.filters.${i}`);
      if (!compiled.ok) return compiled;
      parts.push(compiled.predicate);
    }
    return f['group'] === 'OR'
      ? { ok: true, predicate: (c) => parts.some((p) => p(c)) }
      : { ok: true, predicate: (c) => parts.every((p) => p(c)) };
  }
  const field = f['field'];
  const operator = f['operator'];
  const value = f['value'];
  if (typeof field !== 'string' || field === '') return { ok: false, message: `${where}.field should not be empty` };
  if (typeof operator !== 'string') return { ok: false, message: `${where}.operator should not be empty` };
  const read = fieldReader(field);
  if (read === undefined) return { ok: false, message: `${where}.field '${field}' is not a searchable field` };
  const needsValue = operator !== 'exists' && operator !== 'not_exists';
  if (needsValue && (value === undefined || value === null || value === '')) return { ok: false, message: `${where}.value should not be empty` };
  switch (operator) {
    case 'eq':
      return { ok: true, predicate: (c) => equals(read(c), value) };
    case 'not_eq':
      return { ok: true, predicate: (c) => !equals(read(c), value) };
    case 'contains':
      return { ok: true, predicate: (c) => contains(read(c), value) };
    case 'not_contains':
      return { ok: true, predicate: (c) => !contains(read(c), value) };
    case 'exists':
      return { ok: true, predicate: (c) => !isEmpty(read(c)) };
    case 'not_exists':
      return { ok: true, predicate: (c) => isEmpty(read(c)) };
    case 'range':
      return compileRange(field, read, value, where);
    default:
      return { ok: false, message: `${where}.operator '${operator}' is not supported` };
  }
}

/** A top-level range on dateAdded/dateUpdated, read for the index fast path (already validated). */
export function timeRangeOf(filter: unknown): TimeRange | undefined {
  if (typeof filter !== 'object' || filter === null) return undefined;
  const f = filter as Record<string, unknown>;
  if (f['operator'] !== 'range' || (f['field'] !== 'dateAdded' && f['field'] !== 'dateUpdated')) return undefined;
  const value = f['value'] as Record<string, unknown>;
  const range: { -readonly [K in keyof TimeRange]: TimeRange[K] } = { field: f['field'] };
  for (const key of RANGE_KEYS) {
    const parsed = parseTime(value[key]);
    if (parsed !== undefined) range[key] = parsed;
  }
  return range;
}

/** Free-text `query`: name, email, phone or company contains it (case-insensitive). */
export function queryPredicate(query: string): ContactPredicate {
  const needle = query.trim().toLowerCase();
  const digits = needle.replace(/\D/g, '');
  return (c) =>
    [c.firstName, c.lastName, [c.firstName, c.lastName].filter(Boolean).join(' '), c.email, c.companyName].some(
      (v) => v !== undefined && v.toLowerCase().includes(needle),
    ) ||
    (digits.length >= 3 && c.phone !== undefined && c.phone.replace(/\D/g, '').includes(digits));
}
