/** The Salesmsg sandbox: a stateful simulator of the public API, served on loopback by tests, benchmarks and the CLI. */
export {
  salesmsgSandbox,
  createSalesmsgSandbox,
  serveSalesmsgSandbox,
  emitWebhook,
  type SalesmsgSandboxInstance,
  type ServedSalesmsgSandbox,
  type WebhookRequest,
} from './salesmsg-sandbox.js';
export { SANDBOX_ACCOUNT_ID, SANDBOX_OAUTH_CLIENT, SANDBOX_TOKENS } from './settings.js';
export { SANDBOX_API_VERSIONS } from './endpoint.js';
export { WEBHOOK_EVENTS, type WebhookEventName } from './webhook-outbox.js';
export { SEED_TAG_LABELS, FIRST_CONTACT_ID } from './seed-data.js';
export { tokenFingerprint } from './token-registry.js';
