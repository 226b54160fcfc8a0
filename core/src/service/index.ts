export { createService, type FerryService } from './create-service.js';
export { SERVICE_DEFAULTS, type ServiceOptions } from './service-options.js';
export { asServiceStore, type ServiceStore } from './service-store.js';
export type { WebhookEndpointInfo } from './webhook-endpoints.js';
export type { ScheduleInfo } from './pipeline-schedules.js';
export type { DeliveryResult, InboxResult, RunSource } from './service-metrics.js';
export { redactWebhookPath, WEBHOOK_PREFIX } from './webhook-path.js';
export { DEFAULT_ROTATION_SCHEDULE, ROTATION_OFF, TokenRotation, type RotationOutcome, type TokenRotationOptions } from './token-rotation.js';
export type { ServiceQueue } from './service-queue.js';
