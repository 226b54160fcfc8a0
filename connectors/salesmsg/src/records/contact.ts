import type { JsonRecord, JsonSchema } from '@ferry/core';
import { toTagRecord, tagSchema, type TagRecord } from './tag.js';
import { arrayOf, booleanOrNull, integerId, integerOrNull, isRecord, stringOrNull, unexpectedResponse } from './values.js';

export interface ContactRecord extends JsonRecord {
  id: number;
  first_name: string | null;
  last_name: string | null;
  full_name: string | null;
  email: string | null;
  /** E.164. */
  number: string | null;
  formatted_number: string | null;
  country: string | null;
  is_blocked: boolean | null;
  opt_out: boolean | null;
  opt_out_at: string | null;
  opt_in_at: string | null;
  created_at: string | null;
  updated_at: string | null;
  owner_id: number | null;
  integration_vendor_id: string | null;
  tags: TagRecord[];
  notes: JsonRecord[];
  custom_fields: JsonRecord[];
}

const nullableString = { type: ['string', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;
const nullableBoolean = { type: ['boolean', 'null'] } as const;

/** A contact (FACTS.md "Contact object"); fields the API adds later pass through unchanged. */
export const contactSchema: JsonSchema = {
  type: 'object',
  required: ['id', 'tags'],
  properties: {
    id: { type: 'integer' },
    first_name: nullableString,
    last_name: nullableString,
    full_name: nullableString,
    email: nullableString,
    number: { ...nullableString, description: 'E.164' },
    formatted_number: nullableString,
    country: nullableString,
    is_blocked: nullableBoolean,
    opt_out: nullableBoolean,
    opt_out_at: nullableString,
    opt_in_at: nullableString,
    created_at: nullableString,
    updated_at: nullableString,
    owner_id: nullableInteger,
    integration_vendor_id: nullableString,
    integration: { type: 'array' },
    prevent_autolink: nullableBoolean,
    tags: { type: 'array', items: tagSchema },
    notes: {
      type: 'array',
      items: { type: 'object', properties: { id: nullableInteger, text: nullableString, created_at: nullableString, updated_at: nullableString } },
    },
    custom_fields: { type: 'array', items: { type: 'object', properties: { field_key: nullableString } } },
  },
};

/**
 * A contact from any route or webhook, with its known fields typed (wrong types read as null) and unknown ones
 * kept. Without an integer id it is not a contact: that is an unexpected answer.
 */
export function toContactRecord(raw: unknown): ContactRecord {
  if (!isRecord(raw)) throw unexpectedResponse('contact', `expected an object, got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  const id = integerId(raw['id']);
  if (id === undefined) throw unexpectedResponse('contact', 'it has no integer id');
  const first = stringOrNull(raw['first_name']);
  const last = stringOrNull(raw['last_name']);
  return {
    ...raw,
    id,
    first_name: first,
    last_name: last,
    full_name: stringOrNull(raw['full_name']) ?? ([first, last].filter((p) => p !== null && p !== '').join(' ') || null),
    email: stringOrNull(raw['email']),
    number: stringOrNull(raw['number']),
    formatted_number: stringOrNull(raw['formatted_number']),
    country: stringOrNull(raw['country']),
    is_blocked: booleanOrNull(raw['is_blocked']),
    opt_out: booleanOrNull(raw['opt_out']),
    opt_out_at: stringOrNull(raw['opt_out_at']),
    opt_in_at: stringOrNull(raw['opt_in_at']),
    created_at: stringOrNull(raw['created_at']),
    updated_at: stringOrNull(raw['updated_at']),
    owner_id: integerOrNull(raw['owner_id']),
    integration_vendor_id: stringOrNull(raw['integration_vendor_id']),
    tags: arrayOf(raw['tags'], toTagRecord),
    notes: arrayOf(raw['notes'], (n) => (isRecord(n) ? n : undefined)),
    custom_fields: arrayOf(raw['custom_fields'], (f) => (isRecord(f) ? f : undefined)),
  };
}
