import { FerryError } from '@ferry/core';

/** Where a warehouse is, for messages: host, port and database, never the user's password. */
export interface PostgresAddress {
  /** `host:port/database`. */
  readonly where: string;
  /** The password in the URL, if any, so that text from the driver can be scrubbed of it. */
  readonly password: string | undefined;
}

const BAD_URL_HINT = "write the connection's `url` as postgres://user:password@host:5432/database (or ${DATABASE_URL})";

/**
 * Checks a connection URL and says where it points. Parse failures are reported without the URL and without the
 * parser's error, which carries the input, password included.
 */
export function postgresAddress(url: string): PostgresAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FerryError('POSTGRES_URL_INVALID', 'the PostgreSQL connection URL is not a valid URL', { hint: BAD_URL_HINT, details: { systemic: true } });
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new FerryError('POSTGRES_URL_INVALID', `the PostgreSQL connection URL starts with '${parsed.protocol}//'`, {
      hint: `it must start with postgres:// or postgresql://; ${BAD_URL_HINT}`,
      details: { systemic: true },
    });
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const host = parsed.hostname === '' ? (parsed.searchParams.get('host') ?? 'localhost') : parsed.hostname;
  const password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  return { where: `${host}:${parsed.port === '' ? '5432' : parsed.port}/${database}`, password };
}

/** Text from the driver or the server with the password (raw and URL-encoded) replaced by `***`. */
export function withoutPassword(text: string, password: string | undefined): string {
  if (password === undefined || password === '') return text;
  return text.replaceAll(password, '***').replaceAll(encodeURIComponent(password), '***');
}
