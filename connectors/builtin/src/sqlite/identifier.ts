import { FerryError } from '@ferry/core';

/** Letters, digits and underscores, not starting with a digit: safe to quote, and easy to type in SQL later. */
const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
/** Names SQLite and the warehouse keep for themselves. */
const RESERVED_PREFIX = /^(?:sqlite_|_ferry_)/i;

export type IdentifierKind = 'table' | 'column';

export function isPlainIdentifier(name: string): boolean {
  return PLAIN_IDENTIFIER.test(name) && !RESERVED_PREFIX.test(name);
}

/** Returns the name when it is a plain identifier; throws SQLITE_BAD_IDENTIFIER (with a fix) otherwise. */
export function assertIdentifier(name: string, kind: IdentifierKind, hint: string): string {
  if (isPlainIdentifier(name)) return name;
  const why = RESERVED_PREFIX.test(name)
    ? 'names starting with sqlite_ or _ferry_ are reserved'
    : 'use letters, digits and underscores, not starting with a digit, at most 63 characters';
  throw new FerryError('SQLITE_BAD_IDENTIFIER', `'${name}' is not usable as a ${kind} name (${why})`, {
    hint,
    // The same name fails every record alike: stop the run rather than dead-letter each one.
    details: { [kind]: name, systemic: true },
  });
}

/** Double-quoted identifier. Only plain identifiers reach SQL text, so there is nothing to escape; doubling any
 * quote keeps it safe regardless. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Default table of a source stream: `contacts` → contacts, `contacts.tasks` → contacts_tasks. */
export function tableNameForStream(stream: string): string {
  const name = stream.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}
