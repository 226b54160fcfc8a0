export { buildAuthorizeUrl, createOAuthState, type AuthorizeRequest } from './authorize-url.js';
export {
  checkPipelineScopes,
  findScopeShortfalls,
  grantedScopes,
  type GrantedScopes,
  type ScopeCheckOptions,
  type ScopeShortfall,
  type VaultSource,
} from './check-scopes.js';
export { connectionUse, pipelineConnections, type ConnectionUse } from './connection-uses.js';
export { startLoopbackRedirect, type LoopbackRedirect, type LoopbackRedirectOptions } from './loopback-redirect.js';
export { createOAuthTokenProvider, rotateOAuthToken, setTokenRefreshLock, type OAuthTokenProviderOptions, type RefreshLock } from './oauth-token-provider.js';
export { authForGrant, partitionsGrantOf, tokenGrantProblem } from './partitions-grant.js';
export { connectionScopes, missingScopes, scopesFor } from './scopes.js';
export { defaultKeyFile, loadSecretKey, parseSecretKey, SECRET_KEY_ENV } from './secret-key.js';
export { createStaticTokenProvider } from './static-token-provider.js';
export { parseStoredToken, tokenStatus, type StoredToken, type TokenStatus } from './stored-token.js';
export { tokenSource, type TokenSource } from './token-source.js';
export {
  exchangeCode,
  refreshOAuthToken,
  storedTokenFrom,
  tokenEndpoint,
  type ClientCredentials,
  type TokenEndpoint,
  type TokenGrant,
} from './token-endpoint.js';
export {
  createTokenVault,
  openTokenVault,
  TOKEN_NAMESPACE,
  vaultIdentity,
  type KeyValueStore,
  type TokenVault,
} from './token-vault.js';
