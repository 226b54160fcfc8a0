import { createHash } from 'node:crypto';
import type { JsonRecord, Random } from '@ferry/core';

export interface AccessToken {
  readonly token: string;
  readonly kind: 'pat' | 'oauth';
  readonly scopes: ReadonlySet<string>;
  /** Epoch ms; undefined never expires (Personal Access Tokens). */
  readonly expiresAt: number | undefined;
  revoked: boolean;
}

interface RefreshToken {
  readonly token: string;
  readonly scopes: readonly string[];
  readonly clientId: string;
  spent: boolean;
}

interface AuthorizationCode {
  readonly scopes: readonly string[];
  readonly clientId: string;
  readonly redirectUri: string | undefined;
  used: boolean;
}

/** Why a bearer token was refused; each reason has its own answer shape (see replies.ts). */
export type TokenRefusal = 'missing' | 'unknown' | 'revoked' | 'expired';

export type TokenCheck = { readonly ok: true; readonly token: AccessToken } | { readonly ok: false; readonly reason: TokenRefusal };

/** Short, non-reversible label of a secret for snapshots. */
export function tokenFingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 12);
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Every credential the sandbox knows: Personal Access Tokens, OAuth access and refresh tokens, authorization
 * codes. Refresh tokens rotate: redeeming one spends it, and a spent one is refused.
 */
export class TokenRegistry {
  private readonly access = new Map<string, AccessToken>();
  private readonly refresh = new Map<string, RefreshToken>();
  private readonly codes = new Map<string, AuthorizationCode>();
  readonly grants = { authorizationCode: 0, refreshToken: 0, rejected: 0 };

  constructor(
    private readonly random: Random,
    private readonly accessTtlMs: number,
  ) {}

  private secret(prefix: string): string {
    let s = prefix;
    for (let i = 0; i < 40; i += 1) s += ALPHABET[Math.floor(this.random() * ALPHABET.length)] ?? '0';
    return s;
  }

  addPersonalToken(token: string, scopes: readonly string[]): void {
    this.access.set(token, { token, kind: 'pat', scopes: new Set(scopes), expiresAt: undefined, revoked: false });
  }

  /** Revokes an access token (its next use is refused with the 403 shape). */
  revoke(token: string): boolean {
    const found = this.access.get(token);
    if (found === undefined) return false;
    found.revoked = true;
    return true;
  }

  check(bearer: string | undefined, now: number): TokenCheck {
    if (bearer === undefined || bearer === '') return { ok: false, reason: 'missing' };
    const token = this.access.get(bearer);
    if (token === undefined) return { ok: false, reason: 'unknown' };
    if (token.revoked) return { ok: false, reason: 'revoked' };
    if (token.expiresAt !== undefined && now >= token.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, token };
  }

  issueCode(input: { scopes: readonly string[]; clientId: string; redirectUri: string | undefined }): string {
    const code = this.secret('code-');
    this.codes.set(code, { ...input, used: false });
    return code;
  }

  redeemCode(code: string, clientId: string, redirectUri: string | undefined): AuthorizationCode | string {
    const found = this.codes.get(code);
    if (found === undefined || found.used) return 'The authorization code is invalid or was already used.';
    if (found.clientId !== clientId) return 'The authorization code was issued to another client.';
    if (found.redirectUri !== undefined && redirectUri !== undefined && found.redirectUri !== redirectUri) {
      return 'The redirect_uri does not match the one of the authorization request.';
    }
    found.used = true;
    return found;
  }

  /** Spends a refresh token; the caller mints the new pair. */
  spendRefresh(token: string, clientId: string): RefreshToken | string {
    const found = this.refresh.get(token);
    if (found === undefined) return 'The refresh token is invalid.';
    if (found.spent) return 'The refresh token was already used (refresh tokens rotate: use the newest one).';
    if (found.clientId !== clientId) return 'The refresh token was issued to another client.';
    found.spent = true;
    return found;
  }

  /** A new access token and refresh token, as the token endpoint answers them. */
  mint(scopes: readonly string[], clientId: string, now: number): JsonRecord {
    const accessToken = this.secret('sbx-at-');
    const refreshToken = this.secret('sbx-rt-');
    this.access.set(accessToken, { token: accessToken, kind: 'oauth', scopes: new Set(scopes), expiresAt: now + this.accessTtlMs, revoked: false });
    this.refresh.set(refreshToken, { token: refreshToken, scopes, clientId, spent: false });
    return {
      token_type: 'Bearer',
      expires_in: Math.max(1, Math.round(this.accessTtlMs / 1000)),
      access_token: accessToken,
      refresh_token: refreshToken,
      scope: scopes.join(' '),
    };
  }

  /** Counts and fingerprints, never the secrets. */
  snapshot(now: number): JsonRecord {
    return {
      access: [...this.access.values()].map((t) => ({
        fingerprint: tokenFingerprint(t.token),
        kind: t.kind,
        scopes: [...t.scopes],
        expired: t.expiresAt !== undefined && now >= t.expiresAt,
        revoked: t.revoked,
      })),
      refresh: [...this.refresh.values()].map((t) => ({ fingerprint: tokenFingerprint(t.token), spent: t.spent })),
      grants: { ...this.grants },
    };
  }
}
