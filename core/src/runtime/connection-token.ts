import type { ConnectorDef } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import type { ConnectionSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import type { TokenProvider } from '../http/token-provider.js';
import { createOAuthTokenProvider } from '../auth/oauth-token-provider.js';
import { createStaticTokenProvider } from '../auth/static-token-provider.js';
import { tokenEndpoint } from '../auth/token-endpoint.js';
import { tokenEnvName, tokenSource } from '../auth/token-source.js';
import type { TokenVault } from '../auth/token-vault.js';
import { connectionOAuth, type ConnectionOAuth } from './connection-oauth.js';

export { tokenEnvName };

/** A provider whose every call fails with the same error: auth problems surface on the first request. */
function failingProvider(error: FerryError): TokenProvider {
  return { getToken: () => Promise.reject(error), onUnauthorized: () => Promise.resolve(false), scopes: [] };
}

export interface ConnectionTokenOptions {
  readonly spec: ConnectionSpec;
  readonly connector: ConnectorDef;
  /** Opens the vault on first need (it reads the key file). */
  readonly vault: () => TokenVault;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  readonly timeScale: number | undefined;
}

function bearerProvider(options: ConnectionTokenOptions): TokenProvider {
  const { spec } = options;
  const source = tokenSource(spec, options.vault, options.env);
  const scopes = spec.auth.scopes;
  if (source.from === 'config' || source.from === 'env') return createStaticTokenProvider(source.token, scopes ?? []);
  if (source.from === 'vault') return createStaticTokenProvider(source.token.accessToken, scopes ?? source.token.scopes);
  const env = tokenEnvName(spec.name);
  return failingProvider(
    new FerryError('AUTH_MISSING', `connection '${spec.name}' has no token`, {
      hint: `set auth.token in ferry.yaml (e.g. \${${env}}), export ${env}, or run \`ferry auth ${spec.name} --token-stdin\``,
      details: { systemic: true },
    }),
  );
}

/** The token provider a connection's auth spec asks for, or undefined for `kind: none`. */
export function connectionToken(options: ConnectionTokenOptions): TokenProvider | undefined {
  const { spec, connector } = options;
  if (spec.auth.kind === 'none') return undefined;
  let setup: ConnectionOAuth | undefined;
  let vault: TokenVault;
  try {
    if (spec.auth.kind === 'bearer') return bearerProvider(options);
    setup = connectionOAuth(spec, connector);
    vault = options.vault();
  } catch (error) {
    if (error instanceof FerryError) return failingProvider(error);
    throw error;
  }
  return createOAuthTokenProvider({
    vault,
    connection: spec.name,
    auth: setup.auth,
    ...(setup.forPartitions === undefined ? {} : { forPartitions: setup.forPartitions }),
    clientId: setup.clientId,
    clientSecret: setup.clientSecret,
    endpoint: tokenEndpoint(setup.refreshUrl, options.log),
    log: options.log,
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
  });
}
