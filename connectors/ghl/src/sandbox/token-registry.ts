import { createHash } from 'node:crypto';
import type { JsonRecord, Random } from '@ferry/core';

export interface AccessToken {
  readonly token: string;
  readonly kind: 'static' | 'oauth';
  readonly userType: 'Location' | 'Company';
  /** The location the token acts for (undefined for agency tokens). */
  readonly locationId: string | undefined;
  readonly companyId: string;
  readonly scopes: ReadonlySet<string>;
  /** Epoch ms; undefined never expires. */
  readonly expiresAt: number | undefined;
  readonly userId: string;
}

interface RefreshToken {
  readonly token: string;
  readonly userType: 'Location' | 'Company';
  readonly locationId: string | undefined;
  readonly companyId: string;
  readonly scopes: readonly string[];
  readonly clientId: string | undefined;
  spent: boolean;
}

interface AuthorizationCode {
  readonly code: string;
  readonly locationId: string;
  readonly companyId: string;
  readonly scopes: readonly string[];
  readonly clientId: string;
  readonly redirectUri: string | undefined;
  used: boolean;
}

export type TokenCheck =
  | { readonly ok: true; readonly token: AccessToken }
  | { readonly ok: false; readonly message: string };

/** Short, non-reversible label of a secret for snapshots and logs. */
export function tokenFingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Every credential the sandbox knows: static tokens (Private Integration Tokens), OAuth access and refresh
 * tokens, and authorization codes. Refresh tokens rotate: using one spends it, as on the live API.
 */
export class TokenRegistry {
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  private readonly codes = new Map<string, AuthorizationCode>();
  readonly grants = { authorizationCode: 0, refreshToken: 0, locationToken: 0, rejected: 0 };

  constructor(
    private readonly random: Random,
    private readonly accessTtlMs: number,
  ) {}

  private secret(prefix: string): string {
    let s = prefix;
    for (let i = 0; i < 32; i += 1) s += TOKEN_ALPHABET[Math.floor(this.random() * TOKEN_ALPHABET.length)] ?? '0';
    return s;
  }

  addAccess(token: AccessToken): void {
    this.access.set(token.token, token);
  }

  addRefresh(token: Omit<RefreshToken, 'spent'>): void {
    this.refresh.set(token.token, { ...token, spent: false });
  }

  check(bearer: string | undefined, now: number): TokenCheck {
    if (bearer === undefined || bearer === '') return { ok: false, message: 'Invalid token: access token is missing' };
    const token = this.access.get(bearer);
    if (token === undefined) return { ok: false, message: 'Invalid token: access token is invalid' };
    if (token.expiresAt !== undefined && now >= token.expiresAt) return { ok: false, message: 'Invalid token: access token has expired' };
    return { ok: true, token };
  }

  issueCode(input: { locationId: string; companyId: string; scopes: readonly string[]; clientId: string; redirectUri: string | undefined }): string {
    const code = this.secret('code-');
    this.codes.set(code, { ...input, code, used: false });
    return code;
  }

  /** Mints an access token (and, for OAuth, a refresh token), as a token response body. */
  mint(input: {
    userType: 'Location' | 'Company';
    locationId: string | undefined;
    companyId: string;
    scopes: readonly string[];
    clientId: string | undefined;
    now: number;
    withRefresh: boolean;
    userId: string;
  }): JsonRecord {
    const accessToken = this.secret('sbx-at-');
    this.access.set(accessToken, {
      token: accessToken,
      kind: 'oauth',
      userType: input.userType,
      locationId: input.locationId,
      companyId: input.companyId,
      scopes: new Set(input.scopes),
      expiresAt: input.now + this.accessTtlMs,
      userId: input.userId,
    });
    let refreshToken: string | undefined;
    if (input.withRefresh) {
      refreshToken = this.secret('sbx-rt-');
      this.addRefresh({
        token: refreshToken,
        userType: input.userType,
        locationId: input.locationId,
        companyId: input.companyId,
        scopes: input.scopes,
        clientId: input.clientId,
      });
    }
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: Math.max(1, Math.round(this.accessTtlMs / 1000)),
      ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
      scope: input.scopes.join(' '),
      userType: input.userType,
      ...(input.locationId === undefined ? {} : { locationId: input.locationId }),
      companyId: input.companyId,
      userId: input.userId,
      isBulkInstallation: false,
    };
  }

  /** Redeems an authorization code once. */
  redeemCode(code: string, clientId: string, redirectUri: string | undefined): AuthorizationCode | string {
    const found = this.codes.get(code);
    if (found === undefined || found.used) return 'Invalid grant: authorization code is invalid or was already used';
    if (found.clientId !== clientId) return 'Invalid grant: authorization code was issued to another client';
    if (found.redirectUri !== undefined && redirectUri !== undefined && found.redirectUri !== redirectUri) {
      return 'Invalid grant: redirect_uri does not match the one of the authorization request';
    }
    found.used = true;
    return found;
  }

  /** Spends a refresh token; the caller mints the new pair. */
  spendRefresh(token: string, clientId: string): RefreshToken | string {
    const found = this.refresh.get(token);
    if (found === undefined) return 'Invalid grant: refresh token is invalid';
    if (found.spent) return 'Invalid grant: refresh token was already used (refresh tokens rotate; use the newest one)';
    if (found.clientId !== undefined && found.clientId !== clientId) return 'Invalid grant: refresh token was issued to another client';
    found.spent = true;
    return found;
  }

  /** Counts and fingerprints, never the secrets themselves. */
  snapshot(now: number): JsonRecord {
    return {
      access: [...this.access.values()].map((t) => ({
        fingerprint: tokenFingerprint(t.token),
        kind: t.kind,
        userType: t.userType,
        locationId: t.locationId,
        scopes: [...t.scopes],
        expiresAt: t.expiresAt === undefined ? undefined : new Date(t.expiresAt).toISOString(),
        expired: t.expiresAt !== undefined && now >= t.expiresAt,
      })),
      refresh: [...this.refresh.values()].map((t) => ({ fingerprint: tokenFingerprint(t.token), locationId: t.locationId, spent: t.spent })),
      grants: { ...this.grants },
    };
  }
}
