import {
  createHttpClient,
  createLimiter,
  createStaticTokenProvider,
  type ConnectorContext,
  type CoreHttpClient,
  type HttpTimeouts,
  type Logger,
  type ServeSandboxOptions,
  type TokenProvider,
} from '@ferry/core';
import { createTestContext } from '@ferry/core/testing';
import { salesmsgApi, type SalesmsgApi } from '../client/salesmsg-api.js';
import { httpProfile, limits } from '../http-profile.js';
import { SANDBOX_TOKENS, serveSalesmsgSandbox, type SalesmsgSandboxInstance } from '../sandbox/index.js';

/** A Salesmsg sandbox on loopback and the real HTTP client pointed at it, for the connector's tests. */
export interface SandboxHarness {
  /** Origin of the sandbox. */
  readonly url: string;
  /** Versioned API base (`<url>/pub/v2.3`). */
  readonly baseUrl: string;
  readonly sandbox: SalesmsgSandboxInstance;
  readonly tokens: typeof SANDBOX_TOKENS;
  /** The core HTTP client with its own limiter (the connector's windows at the sandbox's time scale). */
  http(token?: string | TokenProvider, options?: HttpOptions): CoreHttpClient;
  api(token?: string | TokenProvider, options?: HttpOptions): SalesmsgApi;
  /** A connector context over a fresh HTTP client. */
  context(options?: { token?: string; config?: Record<string, unknown>; cache?: Map<string, unknown>; http?: HttpOptions }): ConnectorContext;
  close(): Promise<void>;
}

export interface HttpOptions {
  readonly retries?: number;
  readonly timeouts?: Partial<HttpTimeouts>;
  readonly log?: Logger;
}

export const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

/** Starts a sandbox (rate limits off unless timeScale says otherwise). */
export async function startSandbox(options: ServeSandboxOptions = {}): Promise<SandboxHarness> {
  const served = await serveSalesmsgSandbox({ timeScale: 0, ...options });
  const timeScale = options.timeScale ?? 0;
  const http = (token: string | TokenProvider = SANDBOX_TOKENS.full, opts: HttpOptions = {}): CoreHttpClient =>
    createHttpClient({
      connector: 'salesmsg',
      account: String(served.sandbox.accountId),
      connection: 'salesmsg',
      baseUrl: served.baseUrl,
      profile: httpProfile,
      limits,
      limiter: createLimiter(limits, { timeScale }),
      token: typeof token === 'string' ? createStaticTokenProvider(token) : token,
      log: opts.log ?? quiet,
      timeScale,
      retry: { attempts: opts.retries ?? 3, baseMs: 5, maxMs: 50 },
      ...(opts.timeouts === undefined ? {} : { timeouts: opts.timeouts }),
    });
  return {
    url: served.url,
    baseUrl: served.baseUrl,
    sandbox: served.sandbox,
    tokens: SANDBOX_TOKENS,
    http,
    api: (token, opts) => salesmsgApi(http(token, opts)),
    context: (opts = {}) =>
      createTestContext({
        connection: 'salesmsg',
        config: { baseUrl: served.url, webhookSecret: 'a-very-long-webhook-secret', ...opts.config },
        account: String(served.sandbox.accountId),
        http: http(opts.token, opts.http),
        ...(opts.cache === undefined ? {} : { cache: opts.cache }),
      }),
    close: () => served.close(),
  };
}
