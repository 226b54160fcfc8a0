import { FerryError } from '../../errors/index.js';
import type { StoreErrorCode } from '../store-error.js';
import type { PgFailure } from './pg-worker-protocol.js';

/** System errors that mean the server cannot be reached (or stopped answering) at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOENT']);
/** The driver's own messages when a connection could not be made or was lost (they carry no code). */
const LOST_CONNECTION = /timeout exceeded when trying to connect|connection terminated|Connection terminated unexpectedly|Client has encountered a connection error/i;

function storeError(code: StoreErrorCode, message: string, hint: string, where: string, failure: PgFailure): FerryError<StoreErrorCode> {
  return new FerryError(code, message, { hint, details: { location: where, sqlState: failure.code }, cause: failure });
}

/**
 * Turns what PostgreSQL or the network said into a FerryError a person can act on. `where` is the redacted
 * location; the server's messages name tables, columns and users, never passwords, and its `detail` (which can
 * quote row values) never reaches this side.
 */
export function toPostgresStoreError(failure: PgFailure, where: string): FerryError<StoreErrorCode> {
  const code = failure.code ?? '';
  const said = failure.message;

  if (UNREACHABLE.has(code) || LOST_CONNECTION.test(said) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') {
    return storeError(
      'STORE_UNAVAILABLE',
      `The PostgreSQL store at ${where} cannot be reached (${said}).`,
      'Check that the server is running and reachable from this machine (host, port, firewall), e.g. `pg_isready -h <host> -p <port>`, and that `store:` in ferry.yaml names it; runs resume from their last checkpoint once it answers.',
      where,
      failure,
    );
  }
  if (code === '28P01' || code === '28000') {
    return storeError(
      'STORE_CANNOT_OPEN',
      `The PostgreSQL store at ${where} refused the login (${said}).`,
      'Check the user and password in `store:` (better: put the password in an environment variable, store: postgres://user:${PGPASSWORD}@host/db) and the server\'s pg_hba.conf.',
      where,
      failure,
    );
  }
  if (code === '3D000') {
    return storeError('STORE_CANNOT_OPEN', `The PostgreSQL store at ${where} cannot be opened (${said}).`, 'Create the database first (`createdb <name>`), or fix its name in `store:`.', where, failure);
  }
  if (code === '42501') {
    return storeError(
      'STORE_CANNOT_OPEN',
      `The PostgreSQL store at ${where} refused this user (${said}).`,
      'Grant the user CREATE on the database (to create the schema) and on the schema (to create and upgrade the tables), or have an administrator create the schema for it.',
      where,
      failure,
    );
  }
  if (code === '53100') {
    return storeError('STORE_DISK_FULL', `The PostgreSQL store at ${where} cannot grow: the server's disk is full (${said}).`, 'Free space on the database server, then run again: runs resume from their last checkpoint.', where, failure);
  }
  if (code === '25006') {
    return storeError(
      'STORE_READONLY',
      `The PostgreSQL store at ${where} cannot be written (${said}).`,
      'The store was opened read-only, or `store:` points at a read-only replica: point it at the primary server.',
      where,
      failure,
    );
  }
  if (code === '40P01' || code === '40001' || code === '55P03' || code === '57014') {
    return storeError(
      'STORE_BUSY',
      `The PostgreSQL store at ${where} was busy: ${said}.`,
      'Other ferry processes held the same rows for longer than the lock or statement timeout; run again, or raise busyTimeoutMs.',
      where,
      failure,
    );
  }
  if (code.startsWith('23')) {
    return storeError(
      'STORE_CONSTRAINT',
      `The store refused a write: ${said}.`,
      'A value the store requires was missing or pointed at nothing (e.g. a runId that startRun did not return); nothing of that write was kept. This is a bug: report it with this message.',
      where,
      failure,
    );
  }
  if (code === 'XX001' || code === 'XX002') {
    return storeError('STORE_CORRUPT', `The PostgreSQL store at ${where} reports damaged data (${said}).`, 'Ask the database administrator to check the server (and restore from a backup if needed).', where, failure);
  }
  if (code === '58030') {
    return storeError('STORE_IO', `The PostgreSQL server of the store at ${where} had an I/O error (${said}).`, 'Ask the database administrator to check the server\'s disks, then run again.', where, failure);
  }
  return storeError('STORE_FAILED', `The PostgreSQL store at ${where} failed: ${said}.`, 'Run again; if it keeps failing, report it with this message.', where, failure);
}
