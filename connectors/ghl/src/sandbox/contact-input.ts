import type { StoredContact } from './model.js';
import { normalizePhone } from './phone.js';

/** Tags as the live API stores them: trimmed, lower-case, once each. */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const tag of tags) {
    const t = tag.trim().toLowerCase();
    if (t !== '' && !out.includes(t)) out.push(t);
  }
  return out;
}

const DATE_FORMATS: readonly { readonly re: RegExp; readonly order: 'ymd' | 'mdy' }[] = [
  { re: /^(\d{4})[-/._](\d{1,2})[-/._](\d{1,2})$/, order: 'ymd' },
  { re: /^(\d{1,2})[-/._](\d{1,2})[-/._](\d{4})$/, order: 'mdy' },
];

/** The birth-date formats the API documents, and ISO date-times, to an ISO date at midnight UTC. */
export function parseBirthDate(value: string): string | undefined {
  const text = value.trim();
  for (const format of DATE_FORMATS) {
    const m = format.re.exec(text);
    if (m === null) continue;
    const [y, mo, d] = format.order === 'ymd' ? [m[1], m[2], m[3]] : [m[3], m[1], m[2]];
    const iso = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00.000Z`;
    const ms = Date.parse(iso);
    return Number.isNaN(ms) || new Date(ms).toISOString() !== iso ? undefined : iso;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text))) return `${new Date(Date.parse(text)).toISOString().slice(0, 10)}T00:00:00.000Z`;
  return undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Settable = 'firstName' | 'lastName' | 'companyName' | 'address1' | 'city' | 'state' | 'postalCode' | 'country' | 'website' | 'timezone' | 'gender' | 'source' | 'assignedTo';
const PLAIN_FIELDS: readonly Settable[] = [
  'firstName', 'lastName', 'companyName', 'address1', 'city', 'state', 'postalCode', 'country', 'website', 'timezone', 'gender', 'source', 'assignedTo',
];

/** Checks a create/update/upsert body beyond its schema; returns the 422 messages (empty when fine). */
export function checkContactInput(input: Readonly<Record<string, unknown>>): string[] {
  const messages: string[] = [];
  const email = input['email'];
  if (typeof email === 'string' && email.trim() !== '' && !EMAIL.test(email.trim())) messages.push('email must be an email');
  const dob = input['dateOfBirth'];
  if (typeof dob === 'string' && dob.trim() !== '' && parseBirthDate(dob) === undefined) {
    messages.push('dateOfBirth must be a date in one of the formats YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, MM-DD-YYYY, YYYY.MM.DD, MM.DD.YYYY, YYYY_MM_DD, MM_DD_YYYY');
  }
  const phone = input['phone'];
  if (typeof phone === 'string' && phone.trim() !== '' && phone.replace(/\D/g, '').length < 7) messages.push('phone must be a valid phone number');
  return messages;
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function customValue(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Applies a create/update/upsert body to a contact: fields present overwrite (null clears), `tags` replaces the
 * whole list, `customFields` merge by id (an empty value removes one), `name` fills first/last names when those
 * are not given.
 */
export function applyContactInput(contact: StoredContact, input: Readonly<Record<string, unknown>>): void {
  for (const field of PLAIN_FIELDS) {
    if (field in input) contact[field] = text(input[field]);
  }
  if ('name' in input && !('firstName' in input) && !('lastName' in input)) {
    const parts = (text(input['name']) ?? '').split(/\s+/).filter(Boolean);
    contact.firstName = parts[0];
    contact.lastName = parts.length > 1 ? parts.slice(1).join(' ') : undefined;
  }
  if ('email' in input) contact.email = text(input['email']);
  if ('phone' in input) {
    const phone = text(input['phone']);
    contact.phone = phone === undefined ? undefined : normalizePhone(phone);
  }
  if ('dnd' in input && typeof input['dnd'] === 'boolean') contact.dnd = input['dnd'];
  if ('dndSettings' in input) contact.dndSettings = input['dndSettings'] as StoredContact['dndSettings'];
  if ('inboundDndSettings' in input) contact.inboundDndSettings = input['inboundDndSettings'] as StoredContact['inboundDndSettings'];
  if (Array.isArray(input['tags'])) contact.tags = normalizeTags(input['tags'] as string[]);
  if ('dateOfBirth' in input) {
    const dob = text(input['dateOfBirth']);
    contact.dateOfBirth = dob === undefined ? undefined : parseBirthDate(dob);
  }
  if (Array.isArray(input['customFields'])) {
    for (const raw of input['customFields'] as Record<string, unknown>[]) {
      const id = typeof raw['id'] === 'string' ? raw['id'] : undefined;
      if (id === undefined) continue;
      const value = customValue(raw['field_value']);
      const existing = contact.customFields.findIndex((f) => f.id === id);
      if (value === undefined) {
        if (existing >= 0) contact.customFields.splice(existing, 1);
      } else if (existing >= 0) {
        contact.customFields[existing] = { id, value };
      } else {
        contact.customFields.push({ id, value });
      }
    }
  }
}

/** A contact with nothing set yet, for creates. */
export function blankContact(id: string, locationId: string, now: number): StoredContact {
  const iso = new Date(now).toISOString();
  return {
    id,
    locationId,
    firstName: undefined,
    lastName: undefined,
    email: undefined,
    phone: undefined,
    companyName: undefined,
    address1: undefined,
    city: undefined,
    state: undefined,
    postalCode: undefined,
    country: undefined,
    website: undefined,
    timezone: undefined,
    gender: undefined,
    source: undefined,
    assignedTo: undefined,
    type: 'lead',
    dnd: false,
    dndSettings: undefined,
    inboundDndSettings: undefined,
    tags: [],
    customFields: [],
    businessId: undefined,
    dateOfBirth: undefined,
    attributionSource: undefined,
    followers: [],
    dateAdded: iso,
    dateUpdated: iso,
    addedMs: now,
    updatedMs: now,
  };
}
