/** A token as the vault keeps it (encrypted as a whole). Times are ISO 8601. */
export interface StoredToken {
  readonly kind: 'oauth2' | 'bearer';
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** When the access token stops working; absent for tokens that do not expire (PITs, PATs). */
  readonly expiresAt?: string;
  readonly scopes: readonly string[];
  /** The account the token acts for (GHL locationId, or companyId for an agency token), when the response said. */
  readonly account?: string;
  /**
   * Obtained with the connector's partitions grant (`OAuth2AuthKind.forPartitions`) for a `partitions: discover`
   * connection; refreshes use that grant too. Absent for the connector's usual grant.
   */
  readonly forPartitions?: true;
  readonly tokenType: string;
  readonly obtainedAt: string;
  /** Last refresh (each refresh rotates the refresh token). */
  readonly rotatedAt?: string;
}

/** What `ferry auth status` may show: everything but the secrets. */
export interface TokenStatus {
  readonly connection: string;
  readonly kind: StoredToken['kind'];
  readonly scopes: readonly string[];
  readonly account: string | undefined;
  readonly tokenType: string;
  readonly obtainedAt: string;
  readonly rotatedAt: string | undefined;
  readonly expiresAt: string | undefined;
  readonly expired: boolean;
  readonly refreshable: boolean;
  /** Obtained with the connector's partitions grant (an agency token). */
  readonly forPartitions: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a decrypted record's shape, so a bad row is an error here rather than a crash at first use. */
export function parseStoredToken(value: unknown): StoredToken | undefined {
  if (!isRecord(value)) return undefined;
  const { kind, accessToken, refreshToken, expiresAt, scopes, account, tokenType, obtainedAt, rotatedAt, forPartitions } = value;
  if ((kind !== 'oauth2' && kind !== 'bearer') || typeof accessToken !== 'string' || accessToken === '') return undefined;
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) return undefined;
  if (typeof tokenType !== 'string' || typeof obtainedAt !== 'string') return undefined;
  const optional = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';
  if (!optional(refreshToken) || !optional(expiresAt) || !optional(account) || !optional(rotatedAt)) return undefined;
  if (forPartitions !== undefined && forPartitions !== true) return undefined;
  return {
    kind,
    accessToken,
    scopes,
    tokenType,
    obtainedAt,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(account === undefined ? {} : { account }),
    ...(rotatedAt === undefined ? {} : { rotatedAt }),
    ...(forPartitions === true ? { forPartitions } : {}),
  };
}

export function tokenStatus(connection: string, token: StoredToken, now: number = Date.now()): TokenStatus {
  return {
    connection,
    kind: token.kind,
    scopes: token.scopes,
    account: token.account,
    tokenType: token.tokenType,
    obtainedAt: token.obtainedAt,
    rotatedAt: token.rotatedAt,
    expiresAt: token.expiresAt,
    expired: token.expiresAt !== undefined && Date.parse(token.expiresAt) <= now,
    refreshable: token.refreshToken !== undefined,
    forPartitions: token.forPartitions === true,
  };
}
