import { randomBytes } from 'node:crypto';
import type { OAuth2AuthKind } from '../contract/connector.js';

export interface AuthorizeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  /** Only what the pipelines need (see scopesFor). */
  readonly scopes: readonly string[];
  /** Unguessable value checked on the redirect (createOAuthState). */
  readonly state: string;
  readonly extraParams?: Readonly<Record<string, string>>;
}

/** The URL a person opens to grant access (authorization code flow). */
export function buildAuthorizeUrl(auth: OAuth2AuthKind, request: AuthorizeRequest): string {
  const url = new URL(auth.authorizeUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', [...new Set(request.scopes)].join(auth.scopeSeparator));
  url.searchParams.set('state', request.state);
  for (const [name, value] of Object.entries(request.extraParams ?? {})) url.searchParams.set(name, value);
  return url.toString();
}

/** A fresh OAuth `state`: 192 random bits, URL-safe. */
export function createOAuthState(): string {
  return randomBytes(24).toString('base64url');
}
