import { toE164 } from '@ferry/core';

/** The sandbox's locations are North American: a number without country code is read as one of theirs. */
const LOCATION_COUNTRY = 'US';

/**
 * The key the sandbox matches phones on (duplicate checks, upsert): E.164 for a real number, read as the live
 * API reads it (without country code, as a number of the location's country). A number that is not one keeps
 * its digits, prefixed the same way, so the API's loose matching of odd input still holds: an unencoded `+`
 * (a space once decoded) turns +44… into a different number.
 */
export function phoneKey(phone: string): string {
  const trimmed = phone.trim();
  const e164 = toE164(trimmed, LOCATION_COUNTRY);
  if (e164 !== undefined) return e164;
  const digits = trimmed.replace(/\D/g, '');
  if (digits === '') return '';
  if (trimmed.startsWith('+')) return `+${digits}`;
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return `+1${digits}`;
}

/** The stored form of a phone: E.164 when it can be read as one, else as sent. */
export function normalizePhone(phone: string): string {
  const key = phoneKey(phone);
  return key === '' ? phone.trim() : key;
}
