import type { RequestHandler } from 'msw';
import type { JsonRecord } from './json-schema.js';

export interface FaultRates {
  /** Each a probability 0..1 per request. */
  readonly rateLimited?: number;
  readonly serverError?: number;
  readonly timeout?: number;
  readonly reset?: number;
  readonly malformed?: number;
}

export interface SandboxOptions {
  /** Origin the sandbox is served at (http://127.0.0.1:PORT); handlers match on it. */
  readonly baseUrl: string;
  /** Seed for deterministic data. */
  readonly seed?: number;
  /** How many records to seed (connector-specific meaning: contacts). */
  readonly size?: number;
  /** Rate windows run this many times faster (10 → a 10 s window lasts 1 s). 0 disables rate limiting. */
  readonly timeScale?: number;
  readonly faults?: FaultRates;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export interface SandboxInstance {
  readonly handlers: readonly RequestHandler[];
  /** Whole state as plain JSON, for tests and `GET /__sandbox/state`. */
  snapshot(): JsonRecord;
  /** Change fault rates at run time (`POST /__sandbox/faults`). */
  setFaults(faults: FaultRates): void;
  /** Request log counters (per method+path template, 429s, max per window) for tests and benchmarks. */
  stats(): JsonRecord;
}

export interface SandboxDef {
  create(options: SandboxOptions): SandboxInstance;
}

/**
 * How a connector offers its sandbox: `sandbox: () => import('./sandbox/index.js').then((m) => m.acmeSandbox)`.
 * A loader, so the simulator (msw, seed data, its handlers) is loaded only when a sandbox is served, never by
 * the commands that merely list, check or run connectors.
 */
export type SandboxLoader = () => Promise<SandboxDef>;
