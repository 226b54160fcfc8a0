import type { OAuth2AuthKind } from '../contract/connector.js';
import type { HttpClient } from '../contract/http.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { Logger } from '../contract/logger.js';
import { FerryError } from '../errors/ferry-error.js';
import { createHttpClient } from '../http/http-client.js';
import type { StoredToken } from './stored-token.js';

/** What a token endpoint granted, read defensively from its answer. */
export interface TokenGrant {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  /** Lifetime of the access token in milliseconds, when the endpoint said. */
  readonly expiresInMs: number | undefined;
  readonly scopes: readonly string[];
  readonly account: string | undefined;
  readonly tokenType: string;
}

export interface TokenEndpoint {
  /** Client bound to the token URL's origin (anonymous calls, no rate windows). */
  readonly http: HttpClient;
  /** Path (with any query) of the token URL on that origin. */
  readonly path: string;
}

/** A client for a token URL, which often lives on another host than the API. */
export function tokenEndpoint(tokenUrl: string, log: Logger): TokenEndpoint {
  const url = new URL(tokenUrl);
  const http = createHttpClient({
    connector: 'oauth',
    account: url.origin,
    baseUrl: url.origin,
    profile: { baseUrl: () => url.origin },
    log,
  });
  return { http, path: `${url.pathname}${url.search}` };
}

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

interface GrantRequest extends ClientCredentials {
  readonly endpoint: TokenEndpoint;
  readonly auth: OAuth2AuthKind;
  readonly connection: string;
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readGrant(body: unknown, auth: OAuth2AuthKind, connection: string): TokenGrant {
  if (!isRecord(body) || typeof body['access_token'] !== 'string' || body['access_token'] === '') {
    throw new FerryError('AUTH_BAD_TOKEN_RESPONSE', `the token endpoint of '${connection}' answered without an access_token`, {
      hint: 'check the connector\'s tokenUrl and the client id/secret of the connection',
      details: { systemic: true },
    });
  }
  const expiresIn = Number(body['expires_in']);
  const scope = body['scope'];
  const scopes = Array.isArray(scope)
    ? scope.filter((s): s is string => typeof s === 'string')
    : typeof scope === 'string'
      ? scope.split(/[\s,]+/).filter((s) => s !== '')
      : [];
  return {
    accessToken: body['access_token'],
    refreshToken: typeof body['refresh_token'] === 'string' && body['refresh_token'] !== '' ? body['refresh_token'] : undefined,
    expiresInMs: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn * 1000 : undefined,
    scopes,
    account: auth.accountFrom?.(body),
    tokenType: typeof body['token_type'] === 'string' ? body['token_type'] : 'Bearer',
  };
}

async function postGrant(request: GrantRequest, form: Record<string, string>): Promise<TokenGrant> {
  const response = await request.endpoint.http.request({
    method: 'POST',
    path: request.endpoint.path,
    form: {
      client_id: request.clientId,
      client_secret: request.clientSecret,
      ...request.auth.extraTokenParams,
      ...form,
    },
    anonymous: true,
    allowStatus: [400, 401],
  });
  if (response.status === 400 || response.status === 401) {
    const body = response.body;
    const error = isRecord(body) && typeof body['error'] === 'string' ? body['error'] : undefined;
    const description = isRecord(body) && typeof body['error_description'] === 'string' ? `: ${body['error_description']}` : '';
    const clientProblem = error === 'invalid_client' || error === 'unauthorized_client';
    // A refused refresh without a clearer reason is a grant that no longer works.
    if (error === 'invalid_grant' || (form['grant_type'] === 'refresh_token' && !clientProblem)) {
      throw new FerryError('AUTH_REVOKED', `the authorization of '${request.connection}' was refused (${error ?? response.status}${description})`, {
        hint: `the grant was revoked, expired or already used: run \`ferry auth ${request.connection}\``,
        details: { systemic: true, status: response.status, traceId: response.traceId },
      });
    }
    throw new FerryError('AUTH_CLIENT_REJECTED', `the token endpoint refused '${request.connection}' (${error ?? response.status}${description})`, {
      hint: `check clientId, clientSecret and redirectUri of connection '${request.connection}' against the app's settings`,
      details: { systemic: true, status: response.status, traceId: response.traceId },
    });
  }
  return readGrant(response.body, request.auth, request.connection);
}

/** Trades an authorization code for tokens (`grant_type=authorization_code`). */
export function exchangeCode(request: GrantRequest & { readonly code: string; readonly redirectUri: string }): Promise<TokenGrant> {
  return postGrant(request, { grant_type: 'authorization_code', code: request.code, redirect_uri: request.redirectUri });
}

/** Trades a refresh token for new tokens; the answer usually carries a new refresh token (rotation). */
export function refreshOAuthToken(request: GrantRequest & { readonly refreshToken: string }): Promise<TokenGrant> {
  return postGrant(request, { grant_type: 'refresh_token', refresh_token: request.refreshToken });
}

/**
 * The record to store for a grant. A refresh that returns no new refresh token keeps the previous one; a grant
 * that names no scopes keeps the previous ones, or `requestedScopes` (RFC 6749 §5.1: an answer without `scope`
 * grants what was asked). A refresh keeps the grant the token came from (`forPartitions`). The server's
 * `expires_in` is taken as given, never time-scaled: a time-scaled sandbox already answers with a scaled lifetime,
 * and only the client's proactive refresh skew scales.
 */
export function storedTokenFrom(
  grant: TokenGrant,
  options: { previous?: StoredToken; now?: number; requestedScopes?: readonly string[]; forPartitions?: boolean } = {},
): StoredToken {
  const now = options.now ?? Date.now();
  const previous = options.previous;
  const refreshToken = grant.refreshToken ?? previous?.refreshToken;
  const account = grant.account ?? previous?.account;
  const scopes = grant.scopes.length > 0 ? grant.scopes : (previous?.scopes ?? options.requestedScopes ?? []);
  const forPartitions = previous === undefined ? options.forPartitions === true : previous.forPartitions === true;
  return {
    kind: 'oauth2',
    accessToken: grant.accessToken,
    tokenType: grant.tokenType,
    scopes,
    obtainedAt: previous?.obtainedAt ?? new Date(now).toISOString(),
    ...(previous === undefined ? {} : { rotatedAt: new Date(now).toISOString() }),
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(account === undefined ? {} : { account }),
    ...(forPartitions ? { forPartitions: true as const } : {}),
    ...(grant.expiresInMs === undefined ? {} : { expiresAt: new Date(now + grant.expiresInMs).toISOString() }),
  };
}
