import type { HttpProfile, RateLimits } from '@ferry/core';
import { RATE_LIMIT } from './api-table.js';
import { settingsOf } from './connection-settings.js';

/** Messages that mean "not authenticated" whatever the status (never scope or permission messages). */
const NOT_AUTHENTICATED = /\bunauthenticated\b|\btoken (?:has )?(?:expired|been revoked|is (?:invalid|expired|revoked))\b|\b(?:invalid|expired|revoked) (?:access )?token\b|\baccess token has been revoked\b/i;

function messageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const message = (body as Record<string, unknown>)['message'];
  return typeof message === 'string' ? message : undefined;
}

/**
 * Whether an answer says the token is not (or no longer) valid. The API says so with 401, but also with 403 or
 * even 500 (FACTS): read `auth_required` and the message, not only the status. A 403 "Invalid scope(s)" is a
 * missing scope, not an auth failure.
 */
export function isAuthFailure(status: number, body: unknown): boolean {
  if (status === 401) return true;
  if (status < 400) return false;
  if (typeof body === 'object' && body !== null && (body as Record<string, unknown>)['auth_required'] === true) return true;
  const message = messageOf(body);
  return message !== undefined && NOT_AUTHENTICATED.test(message);
}

export const httpProfile: HttpProfile = {
  baseUrl: (config) => settingsOf(config).baseUrl,
  isAuthFailure,
};

/**
 * 60 requests a minute per account, and never more than 5 in any 5 seconds: the pace stays at ≤ 1 request/s
 * (no burst of 60 that a per-second guard could refuse) while a call's round trip costs only its own share of a
 * 5-second window, so a sequential reader still gets ~96% of the ceiling at 200 ms latency. A 429 pauses every
 * call of the account for the API's 60-second penalty (the API sends no rate headers and no Retry-After).
 */
export const limits: RateLimits = {
  windows: [
    { max: 5, perMs: 5_000 },
    { max: RATE_LIMIT.perMinute, perMs: 60_000 },
  ],
  penaltyMs: RATE_LIMIT.penaltyMs,
};
