export { buildAuthorizeUrl, createOAuthState, type AuthorizeRequest } from './authorize-url.js';
export { startLoopbackRedirect, type LoopbackRedirect, type LoopbackRedirectOptions } from './loopback-redirect.js';
export { createOAuthTokenProvider, type OAuthTokenProviderOptions } from './oauth-token-provider.js';
export { missingScopes, scopesFor } from './scopes.js';
export { defaultKeyFile, loadSecretKey, parseSecretKey, SECRET_KEY_ENV } from './secret-key.js';
export { createStaticTokenProvider } from './static-token-provider.js';
export { parseStoredToken, tokenStatus, type StoredToken, type TokenStatus } from './stored-token.js';
export {
  exchangeCode,
  refreshOAuthToken,
  storedTokenFrom,
  tokenEndpoint,
  type ClientCredentials,
  type TokenEndpoint,
  type TokenGrant,
} from './token-endpoint.js';
export { createTokenVault, openTokenVault, TOKEN_NAMESPACE, type KeyValueStore, type TokenVault } from './token-vault.js';
