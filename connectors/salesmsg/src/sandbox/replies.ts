import { FerryError, type JsonRecord } from '@ferry/core';
import { RATE_LIMIT } from '../api-table.js';
import type { TokenRefusal } from './token-registry.js';

/** A JSON answer of the sandbox (a bare array for the routes that answer one). */
export interface Reply {
  readonly status: number;
  readonly body: JsonRecord | readonly unknown[] | undefined;
}

export function ok(body: JsonRecord | readonly unknown[] | undefined, status = 200): Reply {
  return { status, body };
}

/** Laravel's error shape: `{message}`, plus `errors` (field → messages) on a 422. */
export function errorReply(status: number, message: string, extra: JsonRecord = {}): Reply {
  return { status, body: { message, ...extra } };
}

export function validationReply(errors: Readonly<Record<string, readonly string[]>>): Reply {
  return errorReply(422, 'The given data was invalid.', { errors: Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, [...v]])) });
}

export const NOT_FOUND = errorReply(404, 'Not Found');
export const RATE_LIMITED = errorReply(429, RATE_LIMIT.message);
export const SCOPE_MISSING = errorReply(403, 'Invalid scope(s) provided.');

/**
 * The three shapes in which the API says "not authenticated" (FACTS: 401, 403 or even 500): a missing or unknown
 * token gets Laravel's plain 401; a revoked one a 403 flagged `auth_required`; an expired one a 500 that only its
 * message gives away.
 */
export function authFailure(reason: TokenRefusal): Reply {
  switch (reason) {
    case 'missing':
    case 'unknown':
      return errorReply(401, 'Unauthenticated.');
    case 'revoked':
      return errorReply(403, 'Your access token has been revoked.', { status: 403, auth_required: true });
    case 'expired':
      return errorReply(500, 'Token has expired', { status: 500 });
  }
}

/** Thrown inside a route to answer with an API error at once; the endpoint wrapper turns it into the reply. */
export class ReplyError extends FerryError<'SALESMSG_SANDBOX_REPLY'> {
  readonly reply: Reply;

  constructor(reply: Reply) {
    super('SALESMSG_SANDBOX_REPLY', `sandbox answers ${reply.status}`);
    this.reply = reply;
  }
}

export function fail(reply: Reply): never {
  throw new ReplyError(reply);
}
