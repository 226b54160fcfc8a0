import { FerryError, type JsonRecord } from '@ferry/core';

/** A JSON answer before the common headers (trace id, rate limits) are added. */
export interface Reply {
  readonly status: number;
  readonly body: JsonRecord;
  readonly headers?: Readonly<Record<string, string>>;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export function ok(body: JsonRecord, status = 200): Reply {
  return { status, body };
}

/** `{statusCode, message, error}` — the API's error shape; on 422 `message` is a list of strings. */
export function errorReply(status: number, message: string | readonly string[], extra: JsonRecord = {}): Reply {
  return {
    status,
    body: { statusCode: status, message: typeof message === 'string' ? message : [...message], error: REASONS[status] ?? 'Error', ...extra },
  };
}

/**
 * Thrown inside a route to answer with an API error at once (not found, forbidden, …). The endpoint wrapper
 * turns it into the reply; it never leaves the sandbox.
 */
export class ReplyError extends FerryError<'GHL_SANDBOX_REPLY'> {
  readonly reply: Reply;

  constructor(reply: Reply) {
    super('GHL_SANDBOX_REPLY', `sandbox answers ${reply.status}`);
    this.reply = reply;
  }
}

export function fail(status: number, message: string | readonly string[], extra: JsonRecord = {}): never {
  throw new ReplyError(errorReply(status, message, extra));
}

export const LOCATION_FORBIDDEN = 'The token does not have access to this location';
export const SCOPE_MISSING = 'The token is not authorized for this scope.';
