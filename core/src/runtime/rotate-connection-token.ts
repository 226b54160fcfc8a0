import type { ConnectorDef } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import type { ProjectSpec } from '../contract/pipeline.js';
import { rotateOAuthToken } from '../auth/oauth-token-provider.js';
import type { StoredToken } from '../auth/stored-token.js';
import { tokenEndpoint } from '../auth/token-endpoint.js';
import type { TokenVault } from '../auth/token-vault.js';
import { connectionOAuth } from './connection-oauth.js';
import { lookUpConnection } from './connection-lookup.js';

export interface RotateConnectionTokenOptions {
  readonly project: ProjectSpec;
  readonly registry: ReadonlyMap<string, ConnectorDef>;
  readonly connection: string;
  readonly vault: TokenVault;
  readonly log: Logger;
}

/**
 * Refreshes an oauth2 connection's token now (`ferry auth rotate`, the service's rotation schedule): the provider
 * hands out a new refresh token, and the new pair is in the vault when this resolves. Shares the single flight of
 * the runs' token providers over the same store.
 */
export async function rotateConnectionToken(options: RotateConnectionTokenOptions): Promise<StoredToken> {
  const { spec, connector } = lookUpConnection(options.project, options.registry, options.connection);
  const setup = connectionOAuth(spec, connector);
  const log = options.log.child({ connection: spec.name });
  return rotateOAuthToken({
    vault: options.vault,
    connection: spec.name,
    auth: setup.auth,
    ...(setup.forPartitions === undefined ? {} : { forPartitions: setup.forPartitions }),
    clientId: setup.clientId,
    clientSecret: setup.clientSecret,
    endpoint: tokenEndpoint(setup.refreshUrl, log),
    log,
  });
}
