import type { OAuth2AuthKind } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import { FerryError } from '../errors/ferry-error.js';
import type { TokenProvider } from '../http/token-provider.js';
import type { StoredToken } from './stored-token.js';
import { refreshOAuthToken, storedTokenFrom, type TokenEndpoint } from './token-endpoint.js';
import type { TokenVault } from './token-vault.js';

export interface OAuthTokenProviderOptions {
  readonly vault: TokenVault;
  readonly connection: string;
  readonly auth: OAuth2AuthKind;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where refreshes are posted (see tokenEndpoint). */
  readonly endpoint: TokenEndpoint;
  readonly log?: Logger;
  /** Token lifetimes and the refresh skew run this many times faster (sandboxes). */
  readonly timeScale?: number;
  readonly now?: () => number;
}

const DEFAULT_REFRESH_SKEW_MS = 5 * 60_000;

/**
 * Refreshes in flight, per vault and connection: however many providers and calls find the token expired at
 * once, one refresh runs and they all wait for it (a second refresh would spend the rotated refresh token).
 */
const inFlight = new WeakMap<TokenVault, Map<string, Promise<StoredToken>>>();

/**
 * OAuth tokens from the vault, refreshed ahead of expiry and once on a 401. The rotated pair is written to the
 * vault before the new access token is handed to anyone, so a crash right after a refresh never loses the only
 * valid refresh token.
 */
export function createOAuthTokenProvider(options: OAuthTokenProviderOptions): TokenProvider {
  const { vault, connection } = options;
  const timeScale = options.timeScale ?? 1;
  const skewMs = (options.auth.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS) / timeScale;
  const now = options.now ?? Date.now;
  let current: StoredToken | undefined;

  function load(): StoredToken {
    const token = vault.get(connection);
    if (token === undefined) {
      throw new FerryError('AUTH_MISSING', `connection '${connection}' has no stored token`, {
        hint: `run \`ferry auth ${connection}\` to connect it`,
        details: { systemic: true },
      });
    }
    current = token;
    return token;
  }

  const expiresSoon = (token: StoredToken): boolean =>
    token.expiresAt !== undefined && Date.parse(token.expiresAt) - skewMs <= now();

  /**
   * Refreshes unless the stored token already changed: after an expiry, when it is no longer expiring; after
   * a 401, when it is no longer the refused token (another call or process rotated it meanwhile).
   */
  function refresh(refusedToken: string | undefined): Promise<StoredToken> {
    let running = inFlight.get(vault);
    if (running === undefined) {
      running = new Map();
      inFlight.set(vault, running);
    }
    const existing = running.get(connection);
    if (existing !== undefined) return existing;
    const map = running;
    const job = (async () => {
      const stored = load();
      const stillNeeded = refusedToken === undefined ? expiresSoon(stored) : stored.accessToken === refusedToken;
      if (!stillNeeded) return stored;
      if (stored.refreshToken === undefined) {
        throw new FerryError('AUTH_REVOKED', `the token of '${connection}' is no longer valid and cannot be refreshed`, {
          hint: `run \`ferry auth ${connection}\``,
          details: { systemic: true },
        });
      }
      const grant = await refreshOAuthToken({
        endpoint: options.endpoint,
        auth: options.auth,
        connection,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        refreshToken: stored.refreshToken,
      });
      const next = storedTokenFrom(grant, { previous: stored, now: now(), timeScale });
      vault.put(connection, next);
      current = next;
      options.log?.info({ connection, expiresAt: next.expiresAt }, 'token refreshed');
      return next;
    })().finally(() => map.delete(connection));
    map.set(connection, job);
    return job;
  }

  return {
    async getToken() {
      const token = current !== undefined && !expiresSoon(current) ? current : load();
      return expiresSoon(token) ? (await refresh(undefined)).accessToken : token.accessToken;
    },
    async onUnauthorized(failedToken) {
      const stored = load();
      if (failedToken !== undefined && stored.accessToken !== failedToken) return true;
      if (stored.refreshToken === undefined) return false;
      await refresh(failedToken ?? stored.accessToken);
      return true;
    },
    get scopes() {
      return (current ?? vault.get(connection))?.scopes ?? [];
    },
  };
}
