/** The GoHighLevel sandbox: a stateful simulator of the contacts API, served on loopback by tests and the CLI. */
export { ghlSandbox, createGhlSandbox, serveGhlSandbox, type GhlSandboxInstance } from './ghl-sandbox.js';
export {
  SANDBOX_LOCATION_ID,
  SANDBOX_COMPANY_ID,
  SANDBOX_OAUTH_CLIENT,
  DEFAULT_ACCESS_TOKEN_TTL_SECONDS,
  sandboxTokens,
  sandboxAgencyToken,
  SANDBOX_APP_ID,
} from './settings.js';
export { type RecordedRequest } from './sandbox-world.js';
export { BURST_LIMIT, DAILY_LIMIT } from './settings.js';
export { tokenFingerprint } from './token-registry.js';
export { API_VERSION } from './endpoint.js';
