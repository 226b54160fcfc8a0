import { toE164 } from '@ferry/core';
import { fail, validationReply } from './replies.js';

/** Contact fields a create or update may set. */
export interface ContactFields {
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  number?: string;
  phone_type?: string | null;
  source?: string | null;
  contact_integration_id?: string | null;
}

const TEXT_FIELDS = ['first_name', 'last_name', 'phone_type', 'source', 'contact_integration_id'] as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The number as the API stores it (E.164), or undefined when it is not a phone number. */
export function storedNumber(raw: string): string | undefined {
  return toE164(raw, 'US');
}

function text(value: unknown, field: string, errors: Record<string, string[]>, max = 255): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  if (typeof value !== 'string' && typeof value !== 'number') {
    errors[field] = [`The ${field} must be a string.`];
    return undefined;
  }
  const s = String(value);
  if (s.length > max) errors[field] = [`The ${field} may not be greater than ${max} characters.`];
  return s;
}

/**
 * Reads contact fields from a query (create) or a JSON body (update) like the API's validator: a 422 with
 * field → messages when something is wrong; the number is normalised to E.164 (read as US when it has no
 * country prefix).
 */
export function readContactFields(source: Readonly<Record<string, unknown>>, requireNumber: boolean): ContactFields {
  const errors: Record<string, string[]> = {};
  const fields: ContactFields = {};
  for (const field of TEXT_FIELDS) {
    const value = text(source[field], field, errors);
    if (value !== undefined) fields[field] = value;
  }
  const email = text(source['email'], 'email', errors);
  if (typeof email === 'string' && !EMAIL.test(email)) errors['email'] = ['The email must be a valid email address.'];
  else if (email !== undefined) fields.email = email;
  const number = source['number'];
  if (number === undefined || number === null || number === '') {
    if (requireNumber) errors['number'] = ['The number field is required.'];
  } else if (typeof number !== 'string' && typeof number !== 'number') {
    errors['number'] = ['The number must be a string.'];
  } else {
    const stored = storedNumber(String(number));
    if (stored === undefined) errors['number'] = ['The number format is invalid.'];
    else fields.number = stored;
  }
  if (Object.keys(errors).length > 0) fail(validationReply(errors));
  return fields;
}
