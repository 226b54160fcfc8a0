import { createHttpClient, createStaticTokenProvider, type HttpClient, type Logger, type TokenProvider } from '@ferry/core';
import { GhlClient } from './client/ghl-client.js';
import { API_VERSION, DEFAULT_BASE_URL } from './config.js';
import { httpProfile, rateLimits } from './http-profile.js';

export interface GhlClientFactoryOptions {
  /** A Private Integration Token / access token, or a provider that refreshes one. */
  readonly token: string | TokenProvider;
  /** The location (sub-account) the client acts for; also its rate-limit bucket. */
  readonly locationId: string;
  /** Default https://services.leadconnectorhq.com (a sandbox, a proxy, a white-label domain). */
  readonly baseUrl?: string;
  /** Default: silent. */
  readonly log?: Logger;
  /** Scopes the token carries, when known (named in hints). */
  readonly scopes?: readonly string[];
  /** Rate windows run this many times faster (sandboxes). */
  readonly timeScale?: number;
  /** Use this HTTP client instead of making one (it must already point at the API). */
  readonly http?: HttpClient;
}

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

/**
 * A typed GHL client outside pipelines, on the same core HTTP client the connector uses: throttled to the
 * location's windows, retried, with typed errors and hints.
 */
export function createGhlClient(options: GhlClientFactoryOptions): GhlClient {
  const http =
    options.http ??
    createHttpClient({
      connector: 'ghl',
      account: options.locationId,
      baseUrl: (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
      profile: httpProfile,
      limits: rateLimits,
      token: typeof options.token === 'string' ? createStaticTokenProvider(options.token, options.scopes ?? []) : options.token,
      log: options.log ?? silent,
      ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    });
  return new GhlClient(http, { locationId: options.locationId, apiVersion: API_VERSION });
}
