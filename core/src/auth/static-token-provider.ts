import type { TokenProvider } from '../http/token-provider.js';

/** A token that does not expire or refresh (GHL Private Integration Token, Salesmsg Personal Access Token). */
export function createStaticTokenProvider(token: string, scopes: readonly string[] = []): TokenProvider {
  return {
    getToken: () => Promise.resolve(token),
    // Nothing to refresh: a refused static token stays refused.
    onUnauthorized: () => Promise.resolve(false),
    scopes,
  };
}
