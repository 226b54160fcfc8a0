export {
  createHttpClient,
  type CoreHttpClient,
  type HttpClientOptions,
  type HttpTimeouts,
  type RetryOptions,
} from './http-client.js';
export { HttpError, isHttpError, isSystemicError, type HttpErrorCode, type HttpErrorInit } from './http-error.js';
export {
  createLimiter,
  type Limiter,
  type LimiterOptions,
  type LimiterStats,
  type ScheduleOptions,
  type WindowStats,
} from './limiter.js';
export { forgetLimiters, limiterFor, type LimiterForOptions } from './limiter-registry.js';
export { SharedWindows, sharedBudgetKey, type SharedBudgetOptions, type SharedGrant, type SharedWindowsOptions } from './shared-windows.js';
export { closeSharedWindowConnections } from './shared-window-connection.js';
export { closeAllPools, closePools } from './pool-registry.js';
export { redactPath, redactSecrets } from './redact.js';
export { backoffDelay, parseRetryAfter } from './backoff.js';
export { buildRequestUrl } from './request-url.js';
export type { TokenProvider } from './token-provider.js';
