/**
 * The API's timestamps: Laravel writes `2024-03-05T14:07:11.000000Z`; older routes `2024-03-05 14:07:11` (UTC,
 * no zone). Parsed by hand because Date.parse reads a zoneless date-time as local time.
 */
const API_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch milliseconds of an API timestamp, or undefined when it is not one. */
export function apiTimeMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = API_TIME.exec(value.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = match;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number((fraction ?? '0').padEnd(3, '0').slice(0, 3)));
  // Date.UTC rolls 2024-13-45 over into 2025: a date that does not round-trip is not a date.
  const check = new Date(utc);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || check.getUTCHours() !== Number(h) || check.getUTCMinutes() !== Number(mi)) return undefined;
  if (zone === undefined || zone === 'Z') return utc;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return utc - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

/** The form the connector writes into checkpoint states: ISO 8601 UTC with milliseconds. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
