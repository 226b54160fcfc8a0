/**
 * @ferry/connector-ghl — GoHighLevel contacts API v2: streams, actions, webhook triggers, a typed client and
 * (from './sandbox') a stateful simulator of the API.
 */
import { ghl } from './connector.js';

export { ghl };
export default ghl;
export { GhlClient, type GhlClientOptions } from './client/ghl-client.js';
export { createGhlClient, type GhlClientFactoryOptions } from './create-client.js';
export type {
  ContactInput,
  ContactUpdate,
  CustomFieldWrite,
  NoteInput,
  SearchFilter,
  SearchOperator,
  SearchPage,
  SearchQuery,
  SearchSort,
  TaskInput,
  UpsertResult,
} from './client/client-types.js';
export { normalizeContact, CONTACT_RECORD_SCHEMA, type GhlContact, type GhlCustomFieldValue } from './records/contact-record.js';
export type { GhlAppointment, GhlNote, GhlTask } from './records/related-records.js';
export { configSchema, readConfig, API_VERSION, DEFAULT_BASE_URL, DEFAULT_AUTHORIZE_URL, DEFAULT_WEBHOOK_PUBLIC_KEY, type GhlConfig } from './config.js';
export { contactOperations, operationById, READ_SCOPE, WRITE_SCOPE, type SpecOperation, type GhlScope } from './spec/operations.js';
export { GHL_WEBHOOK_EVENTS, webhookEventType } from './triggers/webhook-triggers.js';
