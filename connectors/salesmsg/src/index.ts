/**
 * @ferry/connector-salesmsg — the Salesmsg connector (default export), its typed client, and the facts it is
 * built on. The sandbox is a separate entry point: `@ferry/connector-salesmsg/sandbox`.
 */
import { salesmsg } from './connector.js';

export default salesmsg;
export { salesmsg };
export { createSalesmsgClient, type SalesmsgClient, type SalesmsgClientOptions } from './client/create-client.js';
export {
  salesmsgApi,
  type ContactListRequest,
  type CreateContactFields,
  type Id,
  type LegacyContactListRequest,
  type ListPage,
  type SalesmsgApi,
  type SortOrder,
  type UpdateContactFields,
} from './client/salesmsg-api.js';
export type { PageMeta } from './client/unwrap.js';
export { OPERATIONS, OAUTH, SCOPES, RATE_LIMIT, DEFAULT_BASE_URL, type ApiOperation, type OperationName } from './api-table.js';
export { configSchema, readSettings, resolveBaseUrl, type SalesmsgSettings, type ContactsRoute } from './connection-settings.js';
export { isAuthFailure, limits } from './http-profile.js';
export { toE164 } from './phone.js';
export type { ContactRecord } from './records/contact.js';
export type { TagRecord } from './records/tag.js';
export type { ConversationRecord } from './records/conversation.js';
export type { MessageRecord } from './records/message.js';
