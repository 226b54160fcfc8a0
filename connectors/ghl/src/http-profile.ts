import type { HttpProfile, RateHeaderReading, RateLimits } from '@ferry/core';
import { API_VERSION, baseUrlOf } from './config.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How the core client talks to GHL: base URL, the Version header, the API's error messages and trace ids. */
export const httpProfile: HttpProfile = {
  baseUrl: baseUrlOf,
  headers: { Version: API_VERSION },
  errorMessage(_status, body) {
    if (!isRecord(body)) return undefined;
    const message = body['message'];
    // 422s list one message per field.
    const text = Array.isArray(message) ? message.filter((m) => typeof m === 'string').join('; ') : typeof message === 'string' ? message : undefined;
    if (text === undefined) return typeof body['error_description'] === 'string' ? body['error_description'] : undefined;
    const meta = body['meta'];
    if (isRecord(meta) && typeof meta['contactId'] === 'string') {
      return `${text} (existing contact ${meta['contactId']} has the same ${typeof meta['matchingField'] === 'string' ? meta['matchingField'] : 'email or phone'})`;
    }
    return text;
  },
  traceId(headers, body) {
    if (isRecord(body) && typeof body['traceId'] === 'string') return body['traceId'];
    return headers['x-trace-id'] ?? headers['traceid'];
  },
};

function numberHeader(headers: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const raw = headers[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** 100 requests per 10 s and 200,000 a day, per location; X-RateLimit-* headers keep the limiter honest. */
export const rateLimits: RateLimits = {
  windows: [
    { max: 100, perMs: 10_000 },
    { max: 200_000, perMs: 86_400_000 },
  ],
  // GHL sends no Retry-After: after a 429, wait out a whole burst window.
  penaltyMs: 10_000,
  readHeaders(headers): RateHeaderReading {
    const remaining = numberHeader(headers, 'x-ratelimit-remaining');
    const dailyRemaining = numberHeader(headers, 'x-ratelimit-daily-remaining');
    return {
      ...(remaining === undefined ? {} : { remaining }),
      ...(dailyRemaining === undefined ? {} : { dailyRemaining }),
    };
  },
};
