import { FerryError, isFerryError } from '../errors/ferry-error.js';

/**
 * Errors that no other record would escape (a revoked token, a spent daily quota, a broken store): the run stops
 * at its last checkpoint instead of dead-lettering every record that follows.
 */
export const SYSTEMIC_CODES: ReadonlySet<string> = new Set([
  'AUTH_REVOKED',
  'AUTH_MISSING',
  'HTTP_UNAUTHORIZED', // reaches the engine only after the client's one refresh failed
  'HTTP_FORBIDDEN_LOCATION',
  'HTTP_MISSING_SCOPE',
  'QUOTA_EXHAUSTED',
  'NO_HTTP',
]);

export function isSystemic(error: FerryError): boolean {
  if (error.details['systemic'] === true) return true;
  if ('systemic' in error && error.systemic === true) return true;
  // The store failing (disk full, locked, corrupt) fails every record after it alike.
  return SYSTEMIC_CODES.has(error.code) || error.code.startsWith('STORE_');
}

const MAX_MESSAGE = 500;

/**
 * A connector's unexpected throw becomes a FerryError (code CONNECTOR_ERROR) so that it can be dead-lettered or
 * reported; it never escapes the run.
 */
export function toFerryError(error: unknown, origin: string): FerryError {
  if (isFerryError(error)) return error;
  const text = error instanceof Error ? error.message : String(error);
  const message = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
  return new FerryError('CONNECTOR_ERROR', `${origin} failed unexpectedly: ${message}`, {
    hint: `this is an unexpected error in ${origin}; run with --log-level debug for details and report it to the connector's maintainers`,
    cause: error,
  });
}

/** An abort caused by the run's own stop (the context's signal), not by the record. */
export function isAbortError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AbortError') return true;
  const code = (error as Error & { code?: unknown }).code;
  return code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED' || code === 'HTTP_ABORTED';
}

/** How many attempts an error reports (the HTTP client puts its tries in details.attempts), at least 1. */
export function attemptsOf(error: FerryError): number {
  const attempts = error.details['attempts'];
  return typeof attempts === 'number' && Number.isFinite(attempts) && attempts >= 1 ? Math.floor(attempts) : 1;
}

/** The shape a dead letter and a plan entry keep of an error. */
export function errorSummary(error: FerryError): { code: string; message: string; hint: string | undefined } {
  return { code: error.code, message: error.message, hint: error.hint };
}

/** One line for the runs table: code, message and hint. */
export function describeForRun(error: FerryError): string {
  return `${error.code}: ${error.describe()}`;
}
