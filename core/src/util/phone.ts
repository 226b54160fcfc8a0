import type * as PhoneLibrary from 'libphonenumber-js/max';
import { onFirstUse } from './load-on-first-use.js';

// The `max` metadata checks the digits themselves, not only their count: `+1 555 555 5555` is refused. Loaded on
// the first number read (about 90 modules and 500 kB of metadata): most commands read none.
const phoneLibrary = onFirstUse<typeof PhoneLibrary>('libphonenumber-js/max');

/** Country numbers without a `+` prefix are read in when the caller names none. */
export const DEFAULT_PHONE_COUNTRY = 'US';

/** Whether `code` is an ISO 3166 country phone numbers are known for (`US`, `gb`, …). */
export function isPhoneCountry(code: string): boolean {
  return phoneLibrary().isSupportedCountry(code.toUpperCase());
}

/**
 * A phone number in E.164 (`+12133734253`), read as people write them ("(213) 373-4253", "+44 20 7946 0958",
 * "00 44 …"); a number without a `+` prefix is read in `defaultCountry` (default US). Undefined when the value is
 * not a valid number, not text or a positive integer, or the country is unknown. The one reading of phone numbers
 * ferry has: field maps, connectors and sandboxes all go through it, so matching by phone agrees everywhere.
 */
export function toE164(value: unknown, defaultCountry: string = DEFAULT_PHONE_COUNTRY): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? String(value) : value;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const country = defaultCountry.toUpperCase();
  const { isSupportedCountry, parsePhoneNumberFromString } = phoneLibrary();
  if (!isSupportedCountry(country)) return undefined;
  const parsed = parsePhoneNumberFromString(text, country);
  return parsed?.isValid() === true ? parsed.number : undefined;
}
