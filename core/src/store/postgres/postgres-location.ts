import { FerryError } from '../../errors/index.js';

/** Where a PostgreSQL store lives: the server and database of the URL, and the schema that holds the tables. */
export interface PostgresLocation {
  /** The URL as the driver takes it (without ferry's `schema` parameter). Holds the password: never shown. */
  readonly connectionString: string;
  readonly schema: string;
  /** The URL's own `options` and `application_name` parameters, which ferry adds to rather than replaces. */
  readonly driverOptions: string | undefined;
  readonly applicationName: string | undefined;
  /** The URL with its credentials masked: the only form that reaches messages and logs. */
  readonly redacted: string;
}

const SCHEMES = new Set(['postgres:', 'postgresql:']);
/** Lower-case, so the name means the same quoted or not (in CREATE SCHEMA and in search_path). */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const DEFAULT_SCHEMA = 'public';

export function isPostgresLocation(location: string): boolean {
  return /^postgres(?:ql)?:/i.test(location.trim());
}

/** `postgres://user:secret@host/db?password=x` → `postgres://***@host/db?password=***`. */
export function redactLocation(location: string): string {
  return location.replace(/\/\/[^/@]*@/, '//***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

function invalid(redacted: string, why: string, hint: string): FerryError {
  return new FerryError('STORE_LOCATION_INVALID', `The store location ${redacted} ${why}.`, { hint, details: { location: redacted } });
}

/** Reads `postgres://user@host:5432/db?schema=ferry` (the `schema` parameter is ferry's; the rest goes to the driver). */
export function parsePostgresLocation(location: string): PostgresLocation {
  const trimmed = location.trim();
  const redacted = redactLocation(trimmed);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid(redacted, 'is not a valid URL', 'Write it as postgres://user:password@host:5432/database?schema=name (percent-encode special characters in the password).');
  }
  if (!SCHEMES.has(url.protocol.toLowerCase())) {
    throw invalid(redacted, 'is not a PostgreSQL URL', 'A PostgreSQL store URL starts with postgres:// or postgresql://.');
  }
  const schemas = url.searchParams.getAll('schema');
  if (schemas.length > 1) throw invalid(redacted, 'names more than one schema', 'Give `schema` once, e.g. ?schema=ferry.');
  const schema = schemas[0] ?? DEFAULT_SCHEMA;
  if (!SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw invalid(
      redacted,
      `names the schema '${schema}', which ferry cannot use`,
      'Use lower-case letters, digits and underscores, starting with a letter or underscore (at most 63, not starting with pg_), e.g. ?schema=ferry.',
    );
  }
  url.searchParams.delete('schema');
  return {
    connectionString: url.toString(),
    schema,
    driverOptions: url.searchParams.get('options') ?? undefined,
    applicationName: url.searchParams.get('application_name') ?? undefined,
    redacted,
  };
}
