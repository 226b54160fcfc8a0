import { pino } from 'pino';
import type { ConnectorContext } from '../contract/context.js';
import type { HttpClient, HttpResponse } from '../contract/http.js';
import type { Logger } from '../contract/logger.js';
import { FerryError } from '../errors/ferry-error.js';

export interface TestContextOptions {
  /** Connection name (default `test`). */
  readonly connection?: string;
  /** The connection's settings, as the loader would pass them after validation. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Directory relative paths resolve against (default: the current directory). */
  readonly baseDir?: string;
  /** An HTTP client (e.g. one pointed at the connector's sandbox); without it every request fails with NO_HTTP. */
  readonly http?: HttpClient;
  readonly account?: string;
  readonly signal?: AbortSignal;
  /** Default: a silent pino logger. */
  readonly log?: Logger;
  /** Share a cache between contexts to model one run; default: a fresh one. */
  readonly cache?: Map<string, unknown>;
}

/** An HTTP client for connectors that have none: any request is a mistake worth a clear message. */
export function noHttpClient(connection: string): HttpClient {
  return {
    stats: { calls: 0, retries: 0, rateLimited: 0, utilization: 0 },
    request<T>(): Promise<HttpResponse<T>> {
      return Promise.reject(
        new FerryError('NO_HTTP', `connection '${connection}' has no HTTP client in this context`, {
          hint: "pass `http` to createTestContext (for example a client for the connector's sandbox)",
        }),
      );
    },
  };
}

/** A ConnectorContext for unit tests of a connector: quiet, self-contained, nothing reaches the network. */
export function createTestContext(options: TestContextOptions = {}): ConnectorContext {
  const connection = options.connection ?? 'test';
  return {
    connection,
    config: options.config ?? {},
    account: options.account,
    http: options.http ?? noHttpClient(connection),
    log: options.log ?? pino({ level: 'silent' }),
    signal: options.signal ?? new AbortController().signal,
    baseDir: options.baseDir ?? process.cwd(),
    cache: options.cache ?? new Map(),
  };
}
