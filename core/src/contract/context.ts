import type { HttpClient } from './http.js';
import type { Logger } from './logger.js';

/** Everything a stream, action or trigger may use at run time. */
export interface ConnectorContext {
  /** Name of the connection in ferry.yaml (e.g. `ghl`, `warehouse`). */
  readonly connection: string;
  /** The connection's validated settings (`${ENV}` already resolved). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The account the connection acts for (GHL locationId, Salesmsg account), when known. */
  readonly account: string | undefined;
  /** Throttled, retrying HTTP client for this connection; throws for connectors without an HTTP profile. */
  readonly http: HttpClient;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Directory of ferry.yaml: relative paths in config resolve against it. */
  readonly baseDir: string;
  /** Per-run cache shared by a connection's calls (Salesmsg tag label → id). */
  readonly cache: Map<string, unknown>;
}
