import { setMaxListeners } from 'node:events';
import type { ConnectorDef } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { HttpClient, HttpRequest, HttpResponse, HttpStats } from '../contract/http.js';
import type { Logger } from '../contract/logger.js';
import type { ProjectSpec } from '../contract/pipeline.js';
import { rateKeyPrefix } from '../coordination/redis-prefix.js';
import { FerryError } from '../errors/ferry-error.js';
import { createHttpClient, type HttpTimeouts, type RetryOptions } from '../http/http-client.js';
import { limiterFor } from '../http/limiter-registry.js';
import { closePools } from '../http/pool-registry.js';
import { openTokenVault, type KeyValueStore, type TokenVault } from '../auth/token-vault.js';
import { connectionToken } from './connection-token.js';
import { lookUpConnection } from './connection-lookup.js';
import { partitionView, type ConnectionPartition } from './connection-partition.js';

export interface ContextFactoryOptions {
  readonly project: ProjectSpec;
  readonly registry: ReadonlyMap<string, ConnectorDef>;
  /** Holds the token vault's rows (any Store). */
  readonly store: KeyValueStore;
  /** Default: the project's vault, opened on first need (key from FERRY_SECRET_KEY or .ferry/secret.key). */
  readonly vault?: TokenVault;
  readonly log: Logger;
  /**
   * The HARD stop: it aborts queued and in-flight calls, and is the contexts' `signal`. Never pass the engine's
   * graceful stop here — a graceful stop lets the records in flight finish, which needs their calls (see
   * `hardStopSignal`). Absent: calls are never aborted by the factory.
   */
  readonly signal?: AbortSignal;
  /** Rate windows, penalties and token lifetimes run this many times faster (sandboxes, benches). */
  readonly timeScale?: number;
  readonly timeouts?: Partial<HttpTimeouts>;
  readonly retry?: RetryOptions;
  /** Environment for bearer tokens (`<CONNECTION>_TOKEN`) and FERRY_SECRET_KEY; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Connection → the partition its context acts in (one pipeline unit): the partition's config and auth, its
   * own token, and its own rate-limit budget (the account is the partition's location, else its id).
   */
  readonly partitions?: Readonly<Record<string, ConnectionPartition>>;
}

export interface ContextFactory {
  /** The context of a connection, built once per factory (one run): same client, same cache. */
  context(connection: string): ConnectorContext;
  /** HTTP counters per connection that made calls through this factory. */
  stats(): Record<string, HttpStats>;
  /** Closes the connection pools this factory used (in-flight calls finish first). */
  close(): Promise<void>;
}

function stringSetting(config: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = config[key];
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** An HttpClient for connectors without an HTTP profile: any call is a connector bug worth a clear message. */
function noHttp(connection: string, connector: string): HttpClient {
  return {
    stats: { calls: 0, retries: 0, rateLimited: 0, utilization: 0 },
    request<T>(): Promise<HttpResponse<T>> {
      return Promise.reject(
        new FerryError('NO_HTTP', `connection '${connection}' (connector '${connector}') has no HTTP client`, {
          hint: `connector '${connector}' declares no http profile; it must not call ctx.http`,
          details: { systemic: true },
        }),
      );
    },
  };
}

/**
 * Builds each connection's context once: its HTTP client (base URL from the connector's profile, the shared
 * limiter of (connector, account), the token provider its auth spec asks for), its per-run cache and logger.
 */
export function createContextFactory(options: ContextFactoryOptions): ContextFactory {
  const env = options.env ?? process.env;
  const hardStop = options.signal ?? new AbortController().signal;
  // Every call in flight listens on this one signal (the limiter and undici each add a listener and remove it
  // when the call ends), so its listener count follows the run's concurrency: no leak, no cap to warn about.
  setMaxListeners(0, hardStop);
  const contexts = new Map<string, ConnectorContext>();
  const clients = new Map<string, HttpClient>();
  const origins = new Set<string>();
  let vault = options.vault;
  const openVault = (): TokenVault => {
    vault ??= openTokenVault({ store: options.store, projectDir: options.project.baseDir, env });
    return vault;
  };

  function storedAccount(connection: string): string | undefined {
    try {
      return openVault().status(connection)?.account;
    } catch {
      return undefined; // an unreadable vault is reported by the first call that needs the token
    }
  }

  function build(name: string): ConnectorContext {
    const looked = lookUpConnection(options.project, options.registry, name);
    const { connector } = looked;
    const partition = options.partitions?.[name];
    const spec = partition === undefined ? looked.spec : partitionView(looked.spec, partition);
    const needsVault = spec.auth.kind === 'oauth2' || (spec.auth.kind === 'bearer' && spec.auth.token === undefined);
    const account =
      stringSetting(spec.config, 'locationId') ??
      stringSetting(spec.config, 'accountId') ??
      (partition === undefined ? undefined : `${name}/${partition.id}`) ??
      (needsVault ? storedAccount(name) : undefined) ??
      name;
    const log = options.log.child({ connection: name });

    let http: HttpClient;
    if (connector.http === undefined) {
      http = noHttp(name, connector.name);
    } else {
      const baseUrl = connector.http.baseUrl(spec.config);
      origins.add(new URL(baseUrl).origin);
      const token = partition?.token ?? connectionToken({ spec, connector, vault: openVault, env, log, timeScale: options.timeScale });
      const limiterOptions = {
        ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
        // With ferry.yaml's `redis:`, every process of the project draws from one budget per account.
        ...(options.project.redis === undefined ? {} : { shared: { redis: options.project.redis.url, keyPrefix: rateKeyPrefix(options.project.redis.prefix) } }),
      };
      const client = createHttpClient({
        connector: connector.name,
        account,
        connection: name,
        baseUrl,
        profile: connector.http,
        log,
        limiter: limiterFor(connector.name, account, connector.limits, limiterOptions),
        ...(connector.limits === undefined ? {} : { limits: connector.limits }),
        ...(token === undefined ? {} : { token }),
        ...(options.timeouts === undefined ? {} : { timeouts: options.timeouts }),
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
      });
      clients.set(name, client);
      http = {
        // Calls without their own signal stop on the hard stop.
        request: <T>(request: HttpRequest) => client.request<T>(request.signal === undefined ? { ...request, signal: hardStop } : request),
        get stats() {
          return client.stats;
        },
      };
    }

    return {
      connection: name,
      config: spec.config,
      account,
      http,
      log,
      signal: hardStop,
      baseDir: options.project.baseDir,
      cache: new Map(),
    };
  }

  return {
    context(connection) {
      let context = contexts.get(connection);
      if (context === undefined) {
        context = build(connection);
        contexts.set(connection, context);
      }
      return context;
    },
    stats() {
      const result: Record<string, HttpStats> = {};
      for (const [name, client] of clients) result[name] = { ...client.stats };
      return result;
    },
    async close() {
      await closePools(origins);
    },
  };
}
