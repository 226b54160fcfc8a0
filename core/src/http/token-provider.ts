/**
 * Where the HTTP client gets its bearer token. Implemented by the auth area (OAuth with refresh, static
 * PIT/PAT tokens); the client only asks for a token and reports a 401.
 */
export interface TokenProvider {
  /** A token that is valid now (refreshed ahead of expiry when it can be). */
  getToken(): Promise<string>;
  /**
   * Called once per call on a 401 with the token that failed. True when a different token is now available
   * (refreshed, or already rotated by a concurrent call) and the call may be sent again; false when nothing
   * can be done (static token, refresh refused).
   */
  onUnauthorized(failedToken?: string): Promise<boolean>;
  /** Scopes granted to the token, when known. */
  readonly scopes: readonly string[];
}
