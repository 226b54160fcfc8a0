import type { ConnectorDef, OAuth2AuthKind } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import type { ConnectionSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import type { TokenProvider } from '../http/token-provider.js';
import { createOAuthTokenProvider } from '../auth/oauth-token-provider.js';
import { createStaticTokenProvider } from '../auth/static-token-provider.js';
import { tokenEndpoint } from '../auth/token-endpoint.js';
import type { TokenVault } from '../auth/token-vault.js';
import { resolveTokenUrl } from './token-url.js';

/** `ghl-main` → `GHL_MAIN_TOKEN`: where a bearer token may come from when ferry.yaml does not name one. */
export function tokenEnvName(connection: string): string {
  return `${connection.toUpperCase().replaceAll(/[^A-Z0-9]/g, '_')}_TOKEN`;
}

/** A provider whose every call fails with the same error: auth problems surface on the first request. */
function failingProvider(error: FerryError): TokenProvider {
  return { getToken: () => Promise.reject(error), onUnauthorized: () => Promise.resolve(false), scopes: [] };
}

export interface ConnectionTokenOptions {
  readonly spec: ConnectionSpec;
  readonly connector: ConnectorDef;
  readonly baseUrl: string;
  /** Opens the vault on first need (it reads the key file). */
  readonly vault: () => TokenVault;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  readonly timeScale: number | undefined;
}

/** The token provider a connection's auth spec asks for, or undefined for `kind: none`. */
export function connectionToken(options: ConnectionTokenOptions): TokenProvider | undefined {
  const { spec, connector } = options;
  const name = spec.name;
  if (spec.auth.kind === 'none') return undefined;
  if (spec.auth.kind === 'bearer') {
    if (spec.auth.token !== undefined && spec.auth.token !== '') return createStaticTokenProvider(spec.auth.token);
    const fromEnv = options.env[tokenEnvName(name)];
    if (fromEnv !== undefined && fromEnv !== '') return createStaticTokenProvider(fromEnv);
    try {
      const stored = options.vault().get(name);
      if (stored !== undefined) return createStaticTokenProvider(stored.accessToken, stored.scopes);
    } catch (error) {
      if (error instanceof FerryError) return failingProvider(error);
      throw error;
    }
    return failingProvider(
      new FerryError('AUTH_MISSING', `connection '${name}' has no token`, {
        hint: `set auth.token in ferry.yaml (e.g. \${${tokenEnvName(name)}}), export ${tokenEnvName(name)}, or run \`ferry auth ${name}\``,
        details: { systemic: true },
      }),
    );
  }
  const auth = connector.auth.find((kind): kind is OAuth2AuthKind => kind.kind === 'oauth2');
  if (auth === undefined) {
    return failingProvider(
      new FerryError('AUTH_UNSUPPORTED', `connector '${connector.name}' does not support oauth2 (connection '${name}')`, {
        hint: `use auth.kind ${connector.auth.map((k) => k.kind).join(' or ')}`,
        details: { systemic: true },
      }),
    );
  }
  const { clientId, clientSecret } = spec.auth;
  if (clientId === undefined || clientSecret === undefined) {
    return failingProvider(
      new FerryError('AUTH_MISSING', `oauth2 connection '${name}' has no clientId/clientSecret`, {
        hint: `add auth.clientId and auth.clientSecret to connection '${name}' in ferry.yaml`,
        details: { systemic: true },
      }),
    );
  }
  let vault: TokenVault;
  try {
    vault = options.vault();
  } catch (error) {
    if (error instanceof FerryError) return failingProvider(error);
    throw error;
  }
  return createOAuthTokenProvider({
    vault,
    connection: name,
    auth,
    clientId,
    clientSecret,
    endpoint: tokenEndpoint(resolveTokenUrl(connector, auth, spec.config, options.baseUrl), options.log),
    log: options.log,
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
  });
}
