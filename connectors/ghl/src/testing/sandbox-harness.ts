import {
  createHttpClient,
  createLimiter,
  createStaticTokenProvider,
  type ConnectorContext,
  type CoreHttpClient,
  type Logger,
  type ServeSandboxOptions,
  type TokenProvider,
} from '@ferry/core';
import { createTestContext } from '@ferry/core/testing';
import { GhlClient } from '../client/ghl-client.js';
import { httpProfile, rateLimits } from '../http-profile.js';
import { sandboxTokens, serveGhlSandbox, type GhlSandboxInstance } from '../sandbox/index.js';

/** A GHL sandbox on loopback and the real clients pointed at it, for the connector's tests. */
export interface SandboxHarness {
  readonly url: string;
  readonly sandbox: GhlSandboxInstance;
  readonly locationId: string;
  readonly tokens: { readonly full: string; readonly readOnly: string };
  /** The core HTTP client (own limiter, no retries unless asked) with this token. */
  http(token?: string | TokenProvider, options?: { readonly retries?: number }): CoreHttpClient;
  client(token?: string | TokenProvider): GhlClient;
  /** A connector context for this location, over a fresh HTTP client. */
  context(options?: { readonly token?: string; readonly config?: Record<string, unknown> }): ConnectorContext;
  close(): Promise<void>;
}

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

export async function startSandbox(options: ServeSandboxOptions = {}): Promise<SandboxHarness> {
  const served = await serveGhlSandbox({ timeScale: 0, ...options });
  const locationId = served.sandbox.locationIds()[0] ?? '';
  const tokens = sandboxTokens(locationId);
  const timeScale = options.timeScale ?? 0;
  const http = (token: string | TokenProvider = tokens.full, opts: { readonly retries?: number } = {}): CoreHttpClient =>
    createHttpClient({
      connector: 'ghl',
      account: locationId,
      baseUrl: served.url,
      profile: httpProfile,
      limits: rateLimits,
      limiter: createLimiter(rateLimits, { timeScale }),
      token: typeof token === 'string' ? createStaticTokenProvider(token) : token,
      log: quiet,
      timeScale,
      retry: { attempts: opts.retries ?? 3, baseMs: 5, maxMs: 50 },
    });
  return {
    url: served.url,
    sandbox: served.sandbox,
    locationId,
    tokens,
    http,
    client: (token) => new GhlClient(http(token), { locationId }),
    context: (opts = {}) =>
      createTestContext({
        connection: 'ghl',
        config: { locationId, baseUrl: served.url, ...opts.config },
        account: locationId,
        http: http(opts.token),
      }),
    close: () => served.close(),
  };
}
