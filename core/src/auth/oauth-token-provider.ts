import type { OAuth2AuthKind, OAuth2PartitionsGrant } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import { FerryError } from '../errors/ferry-error.js';
import type { TokenProvider } from '../http/token-provider.js';
import { authForGrant, tokenGrantProblem } from './partitions-grant.js';
import type { StoredToken } from './stored-token.js';
import { refreshOAuthToken, storedTokenFrom, type TokenEndpoint } from './token-endpoint.js';
import { vaultIdentity, type KeyValueStore, type TokenVault } from './token-vault.js';

/** What a refresh needs of a lock shared by processes (`DistributedLock` has it). */
export interface RefreshLock {
  run<T>(resource: string, work: () => Promise<T>, options?: { readonly waitMs?: number }): Promise<T>;
}

export interface OAuthTokenProviderOptions {
  readonly vault: TokenVault;
  readonly connection: string;
  /** The connector's oauth2 kind; a refresh posts the grant the stored token came from (see authForGrant). */
  readonly auth: OAuth2AuthKind;
  /**
   * The partitions grant the connection's token must come from (a `partitions: discover` connection, see
   * partitionsGrantOf); absent: the usual grant. A stored token of the other grant is refused, never used.
   */
  readonly forPartitions?: OAuth2PartitionsGrant;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Where refreshes are posted (see tokenEndpoint): the provider's refresh URL when it has one, else its token URL. */
  readonly endpoint: TokenEndpoint;
  readonly log?: Logger;
  /**
   * The proactive refresh skew runs this many times faster (sandboxes); 0 or absent means no scaling. Token
   * lifetimes are never scaled: the server's `expires_in` is taken as given (a time-scaled sandbox already
   * answers with a scaled lifetime).
   */
  readonly timeScale?: number;
  readonly now?: () => number;
  /**
   * Taken around each refresh (`token:<connection>`) so that processes sharing the store never refresh one
   * account at once. Default: the lock set for the vault's store with `setTokenRefreshLock`, if any.
   */
  readonly refreshLock?: RefreshLock;
}

const DEFAULT_REFRESH_SKEW_MS = 5 * 60_000;
/** How long a refresh waits for another process's refresh of the same account (a token call takes seconds). */
const REFRESH_LOCK_WAIT_MS = 60_000;

/**
 * Refreshes in flight, per vault identity (its store) and connection: however many providers, calls and
 * rotations find a token to refresh at once, one refresh runs and they all wait for it (a second refresh would
 * spend the rotated refresh token).
 */
const inFlight = new WeakMap<object, Map<string, Promise<StoredToken>>>();

/** Cross-process refresh locks, per vault identity (the store every vault over it shares). */
const refreshLocks = new WeakMap<object, RefreshLock>();

/**
 * Makes every refresh of a token kept in `store` (whichever vault, provider or rotation asks) take `lock` too, so
 * that processes sharing the store — queue workers, a service — refresh one account one at a time; the one that
 * waited then reads the token the other stored instead of spending the rotated refresh token. Undefined removes it.
 */
export function setTokenRefreshLock(store: KeyValueStore, lock: RefreshLock | undefined): void {
  if (lock === undefined) refreshLocks.delete(store);
  else refreshLocks.set(store, lock);
}

/** Why a refresh is asked for; each decides whether it is still needed once the stored token is read again. */
type RefreshReason = { readonly kind: 'expiring' } | { readonly kind: 'refused'; readonly token: string } | { readonly kind: 'rotate' };

function positiveScale(timeScale: number | undefined): number {
  return timeScale !== undefined && Number.isFinite(timeScale) && timeScale > 0 ? timeScale : 1;
}

function loadToken(options: OAuthTokenProviderOptions): StoredToken {
  const { vault, connection } = options;
  const token = vault.get(connection);
  if (token === undefined) {
    throw new FerryError('AUTH_MISSING', `connection '${connection}' has no stored token`, {
      hint: `run \`ferry auth ${connection}\` to connect it`,
      details: { systemic: true },
    });
  }
  // A location token cannot list an agency's locations, nor an agency token read one location's contacts.
  const problem = tokenGrantProblem(connection, token, options.auth, options.forPartitions);
  if (problem !== undefined) throw problem;
  return token;
}

function expiresSoon(token: StoredToken, skewMs: number, now: number): boolean {
  return token.expiresAt !== undefined && Date.parse(token.expiresAt) - skewMs <= now;
}

/**
 * Refreshes unless the stored token already changed: after an expiry, when it is no longer expiring; after a
 * 401, when it is no longer the refused token (another call or process rotated it meanwhile). A rotation always
 * refreshes, but joins a refresh already in flight instead of starting a second one.
 */
function refreshShared(options: OAuthTokenProviderOptions, reason: RefreshReason): Promise<StoredToken> {
  const { vault, connection } = options;
  const identity = vaultIdentity(vault);
  let running = inFlight.get(identity);
  if (running === undefined) {
    running = new Map();
    inFlight.set(identity, running);
  }
  const existing = running.get(connection);
  if (existing !== undefined) return existing;
  const map = running;
  const now = options.now ?? Date.now;
  const skewMs = (options.auth.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS) / positiveScale(options.timeScale);
  const refresh = async (): Promise<StoredToken> => {
    // Read again once the lock is held: another process may have refreshed meanwhile.
    const stored = loadToken(options);
    const stillNeeded =
      reason.kind === 'rotate' ? true : reason.kind === 'expiring' ? expiresSoon(stored, skewMs, now()) : stored.accessToken === reason.token;
    if (!stillNeeded) return stored;
    if (stored.refreshToken === undefined) {
      throw new FerryError('AUTH_REVOKED', `the token of '${connection}' ${reason.kind === 'rotate' ? 'has no refresh token' : 'is no longer valid and cannot be refreshed'}`, {
        hint: `run \`ferry auth ${connection}\``,
        details: { systemic: true },
      });
    }
    const grant = await refreshOAuthToken({
      endpoint: options.endpoint,
      // Refreshed the way it was granted: an agency token stays an agency token.
      auth: authForGrant(options.auth, stored.forPartitions === true),
      connection,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      refreshToken: stored.refreshToken,
    });
    const next = storedTokenFrom(grant, { previous: stored, now: now() });
    // Stored before anyone uses it: a crash right after never loses the only valid refresh token.
    vault.put(connection, next);
    options.log?.info({ connection, expiresAt: next.expiresAt, reason: reason.kind }, reason.kind === 'rotate' ? 'token rotated' : 'token refreshed');
    return next;
  };
  const lock = options.refreshLock ?? refreshLocks.get(identity);
  const job = (lock === undefined ? refresh() : lock.run(`token:${connection}`, refresh, { waitMs: REFRESH_LOCK_WAIT_MS })).finally(() =>
    map.delete(connection),
  );
  map.set(connection, job);
  return job;
}

/**
 * Refreshes a connection's OAuth token now, whatever its expiry (scheduled rotation, `ferry auth rotate`): the
 * refresh token rotates and the new pair is in the vault when this resolves. Shares the single flight of the
 * token providers, so a rotation never races a refresh of a run.
 */
export function rotateOAuthToken(options: OAuthTokenProviderOptions): Promise<StoredToken> {
  return refreshShared(options, { kind: 'rotate' });
}

/**
 * OAuth tokens from the vault, refreshed ahead of expiry and once on a 401. The rotated pair is written to the
 * vault before the new access token is handed to anyone, so a crash right after a refresh never loses the only
 * valid refresh token.
 */
export function createOAuthTokenProvider(options: OAuthTokenProviderOptions): TokenProvider {
  const { vault, connection } = options;
  const skewMs = (options.auth.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS) / positiveScale(options.timeScale);
  const now = options.now ?? Date.now;
  let current: StoredToken | undefined;

  function load(): StoredToken {
    current = loadToken(options);
    return current;
  }

  async function refresh(reason: RefreshReason): Promise<StoredToken> {
    current = await refreshShared(options, reason);
    return current;
  }

  return {
    async getToken() {
      const cached = current !== undefined && !expiresSoon(current, skewMs, now()) ? current : load();
      return expiresSoon(cached, skewMs, now()) ? (await refresh({ kind: 'expiring' })).accessToken : cached.accessToken;
    },
    async onUnauthorized(failedToken) {
      const stored = load();
      if (failedToken !== undefined && stored.accessToken !== failedToken) return true;
      if (stored.refreshToken === undefined) return false;
      await refresh({ kind: 'refused', token: failedToken ?? stored.accessToken });
      return true;
    },
    get scopes() {
      return (current ?? vault.get(connection))?.scopes ?? [];
    },
  };
}
