import type { ConnectorDef, OAuth2PartitionsGrant } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import type { ProjectSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import { buildAuthorizeUrl, createOAuthState } from '../auth/authorize-url.js';
import { startLoopbackRedirect, type LoopbackRedirect } from '../auth/loopback-redirect.js';
import { authForGrant } from '../auth/partitions-grant.js';
import type { StoredToken } from '../auth/stored-token.js';
import { exchangeCode, storedTokenFrom, tokenEndpoint } from '../auth/token-endpoint.js';
import type { TokenVault } from '../auth/token-vault.js';
import { connectionOAuth } from './connection-oauth.js';
import { lookUpConnection } from './connection-lookup.js';
import { isLoopbackHost } from './token-url.js';

export interface AuthorizeConnectionOptions {
  readonly project: ProjectSpec;
  readonly registry: ReadonlyMap<string, ConnectorDef>;
  readonly connection: string;
  /**
   * What to ask for: only what the pipelines need (`connectionScopes`). A `partitions: discover` connection is
   * asked for its partitions grant's scopes too, whether or not they are listed here.
   */
  readonly scopes: readonly string[];
  readonly vault: TokenVault;
  readonly log: Logger;
  /**
   * Port of the loopback listener. Default: the port of the connection's registered `auth.redirectUri`, else a
   * free one. Providers that match redirect URIs exactly need the registered one.
   */
  readonly port?: number;
  /** How long to wait for the browser's redirect (default 5 minutes). */
  readonly timeoutMs?: number;
  /** Called once the listener is up, with the URL a person opens and where the redirect is expected. */
  readonly onAuthorizeUrl: (authorizeUrl: string, redirectUri: string) => void;
}

export interface AuthorizedConnection {
  readonly token: StoredToken;
  /** The partitions grant the token was obtained with (a `partitions: discover` connection), else undefined. */
  readonly forPartitions: OAuth2PartitionsGrant | undefined;
  /** Scopes asked for that the provider did not grant. */
  readonly notGranted: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** The listener for the redirect: on the registered loopback redirect URI when there is one, else a free port. */
async function listen(redirectUri: string | undefined, port: number | undefined, connection: string): Promise<LoopbackRedirect> {
  if (redirectUri === undefined) return startLoopbackRedirect(port === undefined ? {} : { port });
  const registered = new URL(redirectUri);
  if (registered.protocol !== 'http:' || !isLoopbackHost(registered.hostname)) {
    throw new FerryError('AUTH_REDIRECT_NOT_LOOPBACK', `the redirect URI of '${connection}' (${redirectUri}) is not a loopback address ferry can listen on`, {
      hint: `register a loopback redirect URI such as http://127.0.0.1:8765/callback with the app and set it as auth.redirectUri of '${connection}', or remove auth.redirectUri`,
    });
  }
  const registeredPort = registered.port === '' ? 80 : Number(registered.port);
  if (port !== undefined && port !== registeredPort) {
    throw new FerryError('USAGE_INVALID', `--port ${port} differs from the port of the registered redirect URI ${redirectUri}`, {
      hint: 'leave --port out: the provider only redirects to the registered URI',
    });
  }
  const hostname = registered.hostname.replace(/^\[|\]$/g, '');
  try {
    return await startLoopbackRedirect({ host: hostname, port: registeredPort, path: registered.pathname });
  } catch (error) {
    throw new FerryError('AUTH_REDIRECT_PORT_BUSY', `cannot listen for the redirect on ${redirectUri}`, {
      hint: `free port ${registeredPort} (another \`ferry auth\` may be waiting there), then try again`,
      cause: error,
    });
  }
}

/**
 * The OAuth 2.0 authorization code flow for a connection, as `ferry auth` runs it: a loopback listener for the
 * redirect, the authorize URL with a fresh `state` and only the given scopes, the redirect's `state` checked
 * (constant-time), the code exchanged at the connection's token URL, and the tokens stored encrypted in the vault.
 * A `partitions: discover` connection gets the connector's partitions grant (GHL: an agency `Company` token).
 */
export async function authorizeConnection(options: AuthorizeConnectionOptions): Promise<AuthorizedConnection> {
  const { spec, connector } = lookUpConnection(options.project, options.registry, options.connection);
  const setup = connectionOAuth(spec, connector);
  const forPartitions = setup.forPartitions;
  const scopes = [...new Set([...options.scopes, ...(forPartitions?.scopes ?? [])])];
  const auth = authForGrant(setup.auth, forPartitions !== undefined);
  const redirect = await listen(setup.redirectUri, options.port, spec.name);
  // The registered URI verbatim (`localhost` stays `localhost`): providers compare it character by character.
  const redirectUri = setup.redirectUri ?? redirect.redirectUri;
  let code: string;
  try {
    const state = createOAuthState();
    const authorizeUrl = buildAuthorizeUrl(
      { ...auth, authorizeUrl: setup.authorizeUrl },
      { clientId: setup.clientId, redirectUri, scopes, state },
    );
    options.onAuthorizeUrl(authorizeUrl, redirectUri);
    code = await redirect.waitForCode(state, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  } finally {
    await redirect.close();
  }
  const log = options.log.child({ connection: spec.name });
  const grant = await exchangeCode({
    endpoint: tokenEndpoint(setup.tokenUrl, log),
    auth,
    connection: spec.name,
    clientId: setup.clientId,
    clientSecret: setup.clientSecret,
    code,
    redirectUri,
  });
  const token = storedTokenFrom(grant, { requestedScopes: scopes, forPartitions: forPartitions !== undefined });
  options.vault.put(spec.name, token);
  log.info({ account: token.account, scopes: token.scopes, expiresAt: token.expiresAt, forPartitions: forPartitions !== undefined }, 'connection authorized');
  const granted = new Set(token.scopes);
  return { token, forPartitions, notGranted: scopes.filter((scope) => !granted.has(scope)) };
}
