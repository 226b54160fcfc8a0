import { createHttpClient, createStaticTokenProvider, type CoreHttpClient, type Logger, type TokenProvider } from '@ferry/core';
import { SCOPES } from '../api-table.js';
import { resolveBaseUrl } from '../connection-settings.js';
import { httpProfile, limits } from '../http-profile.js';
import { salesmsgApi, type SalesmsgApi } from './salesmsg-api.js';

export interface SalesmsgClientOptions {
  /** A Personal Access Token, or a provider (OAuth tokens that refresh). */
  readonly token: string | TokenProvider;
  /** Default https://api.salesmessage.com/pub/v2.3; an origin without /pub/vX.Y gets it appended. */
  readonly baseUrl?: string;
  readonly apiVersion?: string;
  /** The rate budget is per account: clients of one account in one process share it. Default 'default'. */
  readonly accountId?: string;
  readonly log?: Logger;
  /** Rate windows and penalties run this many times faster (sandboxes). */
  readonly timeScale?: number;
}

export interface SalesmsgClient extends SalesmsgApi {
  /** The underlying HTTP client: its stats (calls, 429s, utilization) and its limiter. */
  readonly http: CoreHttpClient;
}

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

/**
 * The Salesmsg API without pipelines: typed methods over ferry's HTTP client, so an embedding program gets the
 * same throttling (60 a minute per account), retries and typed errors as a pipeline run.
 */
export function createSalesmsgClient(options: SalesmsgClientOptions): SalesmsgClient {
  const { baseUrl } = resolveBaseUrl(options.baseUrl, options.apiVersion);
  const token = typeof options.token === 'string' ? createStaticTokenProvider(options.token, [...SCOPES.read, ...SCOPES.write]) : options.token;
  const http = createHttpClient({
    connector: 'salesmsg',
    account: options.accountId ?? 'default',
    baseUrl,
    profile: httpProfile,
    limits,
    token,
    log: options.log ?? silent,
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
  });
  return { ...salesmsgApi(http), http };
}
