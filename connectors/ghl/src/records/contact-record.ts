import type { JsonRecord, JsonSchema } from '@ferry/core';
import { specSchema } from '../spec/json-schemas.js';

/** A custom field value as the API reads it back (`{id, value}`; writes take `{id, key, field_value}`). */
export interface GhlCustomFieldValue {
  readonly id: string;
  readonly value?: unknown;
}

/** A contact in one shape whichever endpoint it came from (get-by-id names: `address1`, ISO `dateOfBirth`). */
export type GhlContact = JsonRecord & {
  readonly id: string;
  readonly locationId?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly companyName?: string;
  readonly address1?: string;
  readonly city?: string;
  readonly state?: string;
  readonly postalCode?: string;
  readonly country?: string;
  readonly website?: string;
  readonly timezone?: string;
  readonly source?: string;
  readonly type?: string;
  readonly assignedTo?: string;
  readonly dnd?: boolean;
  readonly tags?: readonly string[];
  readonly customFields?: readonly GhlCustomFieldValue[];
  readonly businessId?: string;
  readonly dateOfBirth?: string;
  readonly dateAdded?: string;
  readonly dateUpdated?: string;
  readonly followers?: readonly string[];
};

/**
 * The record schema of every contact stream: the spec's get-by-id schema, plus what the list endpoints add.
 * Open to further properties: the API adds fields without notice.
 */
export const CONTACT_RECORD_SCHEMA: JsonSchema = specSchema('GetContectByIdSchema', {
  description: 'A GoHighLevel contact (get-by-id shape: address1, ISO dates; custom fields as {id, value})',
  required: ['id'],
  extend: {
    id: { type: 'string', minLength: 1 },
    followers: { type: 'array', items: { type: 'string' } },
    customFields: {
      type: 'array',
      items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, value: {} } },
    },
    additionalEmails: { type: 'array' },
    additionalPhones: { type: 'array' },
    deleted: { type: 'boolean', description: 'true on records from ContactDelete webhooks' },
  },
});

/** Search-only fields that say nothing new about the contact. */
function isSearchOnly(key: string): boolean {
  switch (key) {
    case 'searchAfter':
    case 'contactName':
    case 'businessName':
    case 'address':
    case 'attributions':
      return true;
    default:
      return false;
  }
}

/**
 * One contact shape from any endpoint. Search items call the street `address` and give `dateOfBirth` in epoch
 * ms; get-by-id says `address1` and ISO. Nulls become absent fields.
 */
export function normalizeContact(raw: JsonRecord): GhlContact {
  const out: JsonRecord = {};
  // A search page normalises 500 contacts: own keys by for...in (no key array per contact), no pair arrays.
  for (const key in raw) {
    if (!Object.hasOwn(raw, key)) continue;
    const value = raw[key];
    // `__proto__` as an own key (JSON.parse makes one) would replace the record's prototype on assignment.
    if (value === null || value === undefined || isSearchOnly(key) || key === '__proto__') continue;
    out[key] = value;
  }
  if (out['address1'] === undefined && typeof raw['address'] === 'string') out['address1'] = raw['address'];
  if (out['companyName'] === undefined && typeof raw['businessName'] === 'string') out['companyName'] = raw['businessName'];
  const dob = raw['dateOfBirth'];
  // Outside ±8.64e15 ms a Date is invalid and toISOString throws: such a value stays as the API sent it.
  if (typeof dob === 'number' && Number.isFinite(dob) && Math.abs(dob) <= 8.64e15) out['dateOfBirth'] = new Date(dob).toISOString();
  if (Array.isArray(raw['attributions']) && out['attributionSource'] === undefined && raw['attributions'].length > 0) {
    out['attributionSource'] = raw['attributions'][0] as unknown;
  }
  return out as GhlContact;
}

/** The cursor a search item carries (`searchAfter`), needed for the next page. */
export function searchCursorOf(raw: JsonRecord): readonly (string | number)[] | undefined {
  const cursor = raw['searchAfter'];
  if (!Array.isArray(cursor)) return undefined;
  const values: unknown[] = cursor;
  return values.every((v): v is string | number => typeof v === 'string' || typeof v === 'number') ? values : undefined;
}
