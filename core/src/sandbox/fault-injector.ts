import type { FaultRates } from '../contract/sandbox.js';
import type { Random } from './prng.js';
import { SANDBOX_FAULT_RESET, SANDBOX_FAULT_TIMEOUT, socketFaultResponse } from './fault.js';
import { jsonResponse } from './json-response.js';

export type FaultKind = keyof FaultRates;

/** Fixed draw order, so one seed gives the same fault sequence in every sandbox. */
const FAULT_ORDER: readonly FaultKind[] = ['rateLimited', 'serverError', 'timeout', 'reset', 'malformed'];

export interface FaultInjector {
  /** Draws once per request: the fault to act out, or undefined for a normal answer. */
  draw(): FaultKind | undefined;
  setRates(rates: FaultRates): void;
  readonly rates: FaultRates;
  /** How many of each fault were injected so far. */
  counts(): Readonly<Record<FaultKind, number>>;
}

export function createFaultInjector(rates: FaultRates, random: Random): FaultInjector {
  let current = validateFaultRates(rates);
  const injected: Record<FaultKind, number> = { rateLimited: 0, serverError: 0, timeout: 0, reset: 0, malformed: 0 };
  return {
    draw() {
      const roll = random();
      let threshold = 0;
      for (const kind of FAULT_ORDER) {
        threshold += current[kind] ?? 0;
        if (roll < threshold) {
          injected[kind] += 1;
          return kind;
        }
      }
      return undefined;
    },
    setRates(next) {
      current = validateFaultRates(next);
    },
    get rates() {
      return current;
    },
    counts: () => ({ ...injected }),
  };
}

/** Rejects rates that are not probabilities, or that add up past 1 (the draw would silently skew). */
export function validateFaultRates(rates: unknown): FaultRates {
  if (typeof rates !== 'object' || rates === null || Array.isArray(rates)) {
    throw new TypeError('fault rates must be an object like {"serverError": 0.05}');
  }
  const result: Record<string, number> = {};
  let total = 0;
  for (const [key, value] of Object.entries(rates)) {
    if (!(FAULT_ORDER as readonly string[]).includes(key)) {
      throw new TypeError(`unknown fault '${key}': expected one of ${FAULT_ORDER.join(', ')}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new TypeError(`fault rate '${key}' must be a number between 0 and 1`);
    }
    result[key] = value;
    total += value;
  }
  if (total > 1) throw new TypeError(`fault rates add up to ${total}, more than 1`);
  return result;
}

export interface FaultResponseOptions {
  /** Body of an injected 429 (the API's own shape). */
  readonly rateLimitedBody?: unknown;
  /** Headers of an injected 429 (Retry-After, rate headers). */
  readonly rateLimitedHeaders?: Readonly<Record<string, string>>;
  /** Body of an injected 5xx. */
  readonly serverErrorBody?: unknown;
  readonly serverErrorStatus?: number;
}

/** The response that acts out one fault; bodies default to a generic `{message}` shape. */
export function faultResponse(kind: FaultKind, options: FaultResponseOptions = {}): Response {
  switch (kind) {
    case 'rateLimited':
      return jsonResponse(options.rateLimitedBody ?? { message: 'Too Many Requests' }, {
        status: 429,
        headers: { ...options.rateLimitedHeaders },
      });
    case 'serverError':
      return jsonResponse(options.serverErrorBody ?? { message: 'Internal Server Error' }, {
        status: options.serverErrorStatus ?? 500,
      });
    case 'timeout':
      return socketFaultResponse(SANDBOX_FAULT_TIMEOUT);
    case 'reset':
      return socketFaultResponse(SANDBOX_FAULT_RESET);
    case 'malformed':
      // Valid status and content type, truncated JSON: what a proxy cutting a body short produces.
      return new Response('{"data":[{"id":"1","name":', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
  }
}
