import { DatabaseError } from 'pg';
import { FerryError } from '@ferry/core';
import { withoutPassword, type PostgresAddress } from './postgres-url.js';

/** Network failures of the driver: the server is not there (or went away). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
/** What the driver says when a connection ends or never answers (it gives these errors no code). */
const CONNECTION_LOST = /connection terminated|timeout expired|connection timeout|not queryable|connection ended/i;
/** What the driver says when the server asks for a password it does not have (or cannot use). */
const LOGIN_FAILED = /\bSASL\b|SCRAM|password/i;

const RESUME = 'then run again: the run resumes from its last checkpoint';

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const { code } = error;
  return typeof code === 'string' ? code : undefined;
}

interface Classified {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
  readonly systemic: boolean;
}

/** A server error by its SQLSTATE class: what failed, what to do, and whether every record would fail alike. */
function classifyServerError(error: DatabaseError, where: string, reason: string): Classified {
  const state = error.code ?? '';
  const of = (code: string, message: string, hint: string, systemic: boolean): Classified => ({ code, message, hint, systemic });
  if (state === '28P01' || state === '28000') {
    return of('POSTGRES_AUTH_FAILED', `PostgreSQL at ${where} refused the login: ${reason}`, "check the user and password in the connection's `url` (keep it in an environment variable: url: ${DATABASE_URL})", true);
  }
  if (state === '3D000') {
    return of('POSTGRES_NO_DATABASE', `PostgreSQL at ${where}: ${reason}`, "create the database (createdb <name>) or fix its name at the end of the connection's `url`", true);
  }
  if (state === '42501') {
    return of('POSTGRES_PERMISSION_DENIED', `PostgreSQL at ${where}: ${reason}`, "grant the connection's user the rights it needs (USAGE and CREATE on the schema, INSERT/UPDATE/DELETE/SELECT on its tables), then run again", true);
  }
  if (state === '25006') {
    return of('POSTGRES_READ_ONLY', `PostgreSQL at ${where} is read-only: ${reason}`, `point the connection's \`url\` at the primary server, ${RESUME}`, true);
  }
  if (state === '40001' || state === '40P01') {
    return of('POSTGRES_CONFLICT', `PostgreSQL at ${where}: ${reason}`, `another writer touched the same rows at the same time; ${RESUME}`, true);
  }
  if (state === '42P01' || state === '42703' || state === '3F000') {
    return of('POSTGRES_TABLE_CHANGED', `PostgreSQL at ${where}: ${reason} (a table or schema was changed while the run wrote to it)`, `leave the warehouse's tables alone during a run, ${RESUME}`, true);
  }
  if (state.startsWith('08') || state.startsWith('57')) {
    return of('POSTGRES_UNAVAILABLE', `PostgreSQL at ${where} is not available: ${reason}`, `start the server or wait for it to accept connections, ${RESUME}`, true);
  }
  if (state.startsWith('53')) {
    return of('POSTGRES_OUT_OF_RESOURCES', `PostgreSQL at ${where} ran out of resources: ${reason}`, `free disk space, memory or connections on the server (or lower \`maxConnections\`), ${RESUME}`, true);
  }
  if (state.startsWith('22')) {
    return of('POSTGRES_BAD_VALUE', `PostgreSQL at ${where}: ${reason}`, "the record has a value its column's type cannot take: fix it in the source or the pipeline's map, or change the column's type", false);
  }
  if (state.startsWith('23')) {
    return of('POSTGRES_CONSTRAINT', `PostgreSQL at ${where}: ${reason}`, 'the record breaks a constraint of the table; fix the record or the table', false);
  }
  return of('POSTGRES_FAILED', `PostgreSQL at ${where}: ${reason}`, 'check the record and the table, then run again', false);
}

/**
 * The driver's and the server's errors as FerryErrors, without the password. Failures of the server or the
 * connection (unreachable, login refused, no database, no rights, out of disk) are systemic: the engine stops at
 * its last checkpoint instead of dead-lettering every record. A value or constraint a record breaks fails that
 * record alone.
 */
export function postgresError(error: unknown, address: PostgresAddress): FerryError {
  if (error instanceof FerryError) return error;
  const { where } = address;
  const reason = withoutPassword(error instanceof Error ? error.message : String(error), address.password);
  const code = errorCode(error);
  if (error instanceof DatabaseError) {
    const classified = classifyServerError(error, where, reason);
    const details: Record<string, unknown> = { where, sqlState: error.code };
    if (error.table !== undefined) details['table'] = error.table;
    if (error.column !== undefined) details['column'] = error.column;
    if (error.constraint !== undefined) details['constraint'] = error.constraint;
    if (error.detail !== undefined) details['detail'] = withoutPassword(error.detail, address.password);
    if (classified.systemic) details['systemic'] = true;
    return new FerryError(classified.code, classified.message, { hint: classified.hint, cause: error, details });
  }
  if (LOGIN_FAILED.test(reason)) {
    return new FerryError('POSTGRES_AUTH_FAILED', `PostgreSQL at ${where} refused the login: ${reason}`, {
      hint: "check the user and password in the connection's `url` (keep it in an environment variable: url: ${DATABASE_URL})",
      details: { where, systemic: true },
    });
  }
  if ((code !== undefined && UNREACHABLE.has(code)) || CONNECTION_LOST.test(reason)) {
    return new FerryError('POSTGRES_UNAVAILABLE', `cannot reach PostgreSQL at ${where} (${code ?? reason})`, {
      hint: "start PostgreSQL or fix the host and port in the connection's `url`; check with `pg_isready -h <host> -p <port>`",
      cause: error,
      details: { where, reason, systemic: true },
    });
  }
  return new FerryError('POSTGRES_FAILED', `PostgreSQL at ${where}: ${reason}`, {
    hint: 'check the warehouse connection and the record, then run again',
    cause: error,
    details: { where },
  });
}
