/**
 * PostgreSQL text cannot hold U+0000, and the driver turns an unpaired UTF-16 surrogate into U+FFFD, so two
 * different ids could meet as one. Such strings (never seen in practice, but ids come from other systems) are
 * stored as ESC followed by their JSON form, which is plain ASCII; every other string is stored as it is. A
 * string that itself starts with ESC is escaped too, so reading back is exact for every string.
 */
const ESCAPED = '\u001b';
const LONE_SURROGATE = /\p{Surrogate}/u;

export function toPgText(value: string): string {
  return value.includes('\u0000') || LONE_SURROGATE.test(value) || value.startsWith(ESCAPED) ? `${ESCAPED}${JSON.stringify(value)}` : value;
}

export function fromPgText(stored: string): string {
  if (!stored.startsWith(ESCAPED)) return stored;
  try {
    const value: unknown = JSON.parse(stored.slice(ESCAPED.length));
    return typeof value === 'string' ? value : stored;
  } catch {
    // Not written by toPgText (another tool wrote the row): shown as it is.
    return stored;
  }
}
