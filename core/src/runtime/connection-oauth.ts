import type { ConnectorDef, OAuth2AuthKind, OAuth2PartitionsGrant } from '../contract/connector.js';
import type { ConnectionSpec } from '../contract/pipeline.js';
import { partitionsGrantOf } from '../auth/partitions-grant.js';
import { FerryError } from '../errors/ferry-error.js';
import { resolveAuthorizeUrl, resolveRefreshUrl, resolveTokenUrl } from './token-url.js';

/** Everything the OAuth 2.0 code flow and refreshes of one connection need, resolved from ferry.yaml. */
export interface ConnectionOAuth {
  readonly connection: string;
  /** The connector's oauth2 kind (`authForGrant` gives it as the connection's grant posts it). */
  readonly auth: OAuth2AuthKind;
  /** The connector's partitions grant when the connection declares `partitions: discover`; else undefined. */
  readonly forPartitions: OAuth2PartitionsGrant | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The redirect URI registered with the app, when ferry.yaml names one. */
  readonly redirectUri: string | undefined;
  /** The API base URL of the connection (sandbox, white-label or the vendor's). */
  readonly baseUrl: string;
  readonly authorizeUrl: string;
  /** Where codes are exchanged. */
  readonly tokenUrl: string;
  /** Where refresh grants are posted. */
  readonly refreshUrl: string;
}

/**
 * The connection's OAuth setup, or a FerryError saying what to fix: the connector must support oauth2 and the
 * connection must be an oauth2 one with a client id and secret.
 */
export function connectionOAuth(spec: ConnectionSpec, connector: ConnectorDef): ConnectionOAuth {
  const name = spec.name;
  const auth = connector.auth.find((kind): kind is OAuth2AuthKind => kind.kind === 'oauth2');
  if (auth === undefined) {
    throw new FerryError('AUTH_UNSUPPORTED', `connector '${connector.name}' does not support oauth2 (connection '${name}')`, {
      hint: `use auth.kind ${connector.auth.map((k) => k.kind).join(' or ')}`,
      details: { systemic: true },
    });
  }
  if (spec.auth.kind !== 'oauth2') {
    throw new FerryError('AUTH_NOT_OAUTH2', `connection '${name}' uses ${spec.auth.kind} auth, not oauth2`, {
      hint: `set auth.kind: oauth2 with auth.clientId and auth.clientSecret for connection '${name}' in ferry.yaml`,
      details: { systemic: true },
    });
  }
  const { clientId, clientSecret } = spec.auth;
  if (clientId === undefined || clientSecret === undefined) {
    throw new FerryError('AUTH_MISSING', `oauth2 connection '${name}' has no clientId/clientSecret`, {
      hint: `add auth.clientId and auth.clientSecret to connection '${name}' in ferry.yaml`,
      details: { systemic: true },
    });
  }
  const baseUrl = connector.http?.baseUrl(spec.config) ?? new URL(auth.tokenUrl).origin;
  return {
    connection: name,
    auth,
    forPartitions: partitionsGrantOf(spec, auth),
    clientId,
    clientSecret,
    redirectUri: spec.auth.redirectUri,
    baseUrl,
    authorizeUrl: resolveAuthorizeUrl(connector, auth, spec.config, baseUrl),
    tokenUrl: resolveTokenUrl(connector, auth, spec.config, baseUrl),
    refreshUrl: resolveRefreshUrl(connector, auth, spec.config, baseUrl),
  };
}
