import { escapeIdentifier } from 'pg';
import { FerryError } from '@ferry/core';

/** PostgreSQL keeps 63 bytes of a name and silently drops the rest: two long names could land on one column. */
const MAX_IDENTIFIER_BYTES = 63;
/** Every table has these columns already; a field with one of these names cannot become a column. */
const SYSTEM_COLUMNS = new Set(['tableoid', 'xmin', 'cmin', 'xmax', 'cmax', 'ctid']);

export type PgIdentifierKind = 'table' | 'column';

/** Why `name` cannot be a table or column name, or undefined when it can (quoted, any other text is fine). */
export function identifierProblem(name: string, kind: PgIdentifierKind): string | undefined {
  if (name === '') return 'the name is empty';
  if (name.includes('\u0000')) return 'the name contains a NUL character';
  if (Buffer.byteLength(name, 'utf8') > MAX_IDENTIFIER_BYTES) return `PostgreSQL names are at most ${MAX_IDENTIFIER_BYTES} bytes`;
  if (kind === 'column' && SYSTEM_COLUMNS.has(name)) return `'${name}' is a system column of every PostgreSQL table`;
  return undefined;
}

/** A name to use in place of one that cannot be used, for hints: short, plain, and never a system column. */
export function suggestedName(name: string): string {
  const plain = name.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40);
  return plain === '' || SYSTEM_COLUMNS.has(plain) ? `${plain}_field` : plain;
}

/** Returns the name when PostgreSQL can hold it as written; throws POSTGRES_BAD_IDENTIFIER (with a fix) otherwise. */
export function assertPgIdentifier(name: string, kind: PgIdentifierKind, hint: string): string {
  const problem = identifierProblem(name, kind);
  if (problem === undefined) return name;
  throw new FerryError('POSTGRES_BAD_IDENTIFIER', `'${name.slice(0, 80)}' is not usable as a ${kind} name (${problem})`, {
    hint,
    // The same name fails every record alike: stop the run rather than dead-letter each one.
    details: { [kind]: name, systemic: true },
  });
}

/**
 * A double-quoted identifier: names are kept exactly as written (case, spaces, keywords, quotes), so a field
 * `First Name` is the column "First Name". Quotes inside are doubled, which is all PostgreSQL needs.
 */
export function quoteIdentifier(name: string): string {
  return escapeIdentifier(name);
}

/** `"schema"."table"`. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}
