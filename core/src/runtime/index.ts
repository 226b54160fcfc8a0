export { createContextFactory, type ContextFactory, type ContextFactoryOptions } from './context-factory.js';
export { isLoopbackHost, resolveAuthorizeUrl, resolveRefreshUrl, resolveTokenUrl } from './token-url.js';
export { tokenEnvName } from './connection-token.js';
export { connectionOAuth, type ConnectionOAuth } from './connection-oauth.js';
export { lookUpConnection } from './connection-lookup.js';
export { hardStopSignal, type HardStop, type HardStopOptions } from './hard-stop.js';
export { rotateConnectionToken, type RotateConnectionTokenOptions } from './rotate-connection-token.js';
export { authorizeConnection, type AuthorizeConnectionOptions, type AuthorizedConnection } from './authorize-connection.js';
export { combineHttpStats } from './run-call-stats.js';
