import { FerryError } from '../errors/ferry-error.js';

export type HttpErrorCode =
  | 'HTTP_UNAUTHORIZED'
  | 'HTTP_FORBIDDEN_LOCATION'
  | 'HTTP_MISSING_SCOPE'
  | 'HTTP_FORBIDDEN'
  | 'HTTP_NOT_FOUND'
  | 'HTTP_VALIDATION'
  | 'HTTP_RATE_LIMITED'
  | 'HTTP_SERVER'
  | 'HTTP_TIMEOUT'
  | 'HTTP_NETWORK'
  | 'HTTP_MALFORMED_RESPONSE'
  | 'HTTP_BODY_TOO_LARGE'
  | 'HTTP_CLIENT';

export interface HttpErrorInit {
  readonly method: string;
  /** Path with query, secrets already redacted. */
  readonly path: string;
  readonly status?: number | undefined;
  readonly traceId?: string | undefined;
  /** The API's own message (already redacted). */
  readonly apiMessage?: string | undefined;
  /** The run cannot go on (auth failure, spent daily quota): stop it instead of dead-lettering each record. */
  readonly systemic?: boolean;
  readonly retryAfterMs?: number | undefined;
  /** Truncated, redacted response body. */
  readonly body?: string | undefined;
  /** Tries made before giving up. */
  readonly attempts?: number;
  readonly hint: string;
  readonly cause?: unknown;
}

/** A failed call, with what a person needs to act on it: status, the API's words, trace id and a hint. */
export class HttpError extends FerryError<HttpErrorCode> {
  readonly status: number | undefined;
  readonly method: string;
  readonly path: string;
  readonly traceId: string | undefined;
  readonly apiMessage: string | undefined;
  readonly systemic: boolean;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;

  constructor(code: HttpErrorCode, message: string, init: HttpErrorInit) {
    const systemic = init.systemic ?? false;
    const attempts = init.attempts ?? 1;
    super(code, message, {
      hint: init.hint,
      cause: init.cause,
      details: {
        status: init.status,
        method: init.method,
        path: init.path,
        traceId: init.traceId,
        apiMessage: init.apiMessage,
        systemic,
        attempts,
        ...(init.body === undefined ? {} : { body: init.body }),
      },
    });
    this.name = 'HttpError';
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.traceId = init.traceId;
    this.apiMessage = init.apiMessage;
    this.systemic = systemic;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = attempts;
  }
}

export function isHttpError(value: unknown): value is HttpError {
  return value instanceof HttpError;
}

/**
 * Whether an error means the whole run must stop (revoked token, wrong location, spent quota) rather than one
 * record failing. Any FerryError can say so with `details.systemic: true`.
 */
export function isSystemicError(value: unknown): boolean {
  return value instanceof FerryError && value.details['systemic'] === true;
}
