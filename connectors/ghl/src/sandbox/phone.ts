/**
 * The key the sandbox matches phones on (duplicate checks, upsert): E.164-ish digits. Like the live API it
 * reads a number without country code as one of the location's country (North American here), so an
 * unencoded `+` (a space once decoded) turns +44… into a different number.
 */
export function phoneKey(phone: string): string {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/\D/g, '');
  if (digits === '') return '';
  if (trimmed.startsWith('+')) return `+${digits}`;
  // Without a country code the number is read as the location's own (North American in the sandbox).
  if (digits.length === 11 && digits.startsWith('1')) return `+${digits}`;
  return `+1${digits}`;
}

/** The stored form of a phone: E.164 when it can be read as one, else as sent. */
export function normalizePhone(phone: string): string {
  const key = phoneKey(phone);
  return key === '' ? phone.trim() : key;
}
