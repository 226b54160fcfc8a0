import { FerryError, toE164 as coreToE164 } from '@ferry/core';

/**
 * A phone number in E.164 (`+12133734253`), read as people write them; numbers without a `+` prefix are read in
 * `country`. Undefined when the value is not a valid number. Salesmsg identifies contacts by this form, so
 * matching and creating always go through it (the core reading, the same as the `phone-e164` convert).
 */
export function toE164(value: unknown, country: string): string | undefined {
  return coreToE164(value, country);
}

/** Like toE164, but a number that cannot be read is an error of this record (not of the run). */
export function requireE164(value: unknown, country: string, field = 'number'): string {
  const e164 = toE164(value, country);
  if (e164 === undefined) {
    throw new FerryError('SALESMSG_INVALID_PHONE', `${field} '${typeof value === 'string' ? value : typeof value}' is not a valid phone number (read in ${country})`, {
      hint: `fix the number at the source, or set defaultCountry of the Salesmsg connection if its numbers are not from ${country}`,
    });
  }
  return e164;
}
