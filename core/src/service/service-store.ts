import type { Store } from '../contract/store.js';
import { FerryError } from '../errors/ferry-error.js';
import type { InboxStatus, WebhookInbox } from '../store/webhook-inbox.js';

/** The store the service needs: runs and checkpoints, and the durable webhook inbox (SqliteStore is both). */
export type ServiceStore = Store & WebhookInbox & { inboxCounts?(): Readonly<Record<InboxStatus, number>> };

const INBOX_METHODS = ['inboxPut', 'inboxNext', 'inboxGet', 'inboxMark', 'inboxDepth'] as const;

/** The store as a ServiceStore, or a FerryError when it keeps no webhook inbox. */
export function asServiceStore(store: Store): ServiceStore {
  const candidate = store as Partial<ServiceStore> & Store;
  if (INBOX_METHODS.every((method) => typeof candidate[method] === 'function')) return candidate as ServiceStore;
  throw new FerryError('SERVE_STORE_NO_INBOX', 'the configured store keeps no webhook inbox, which `ferry serve` needs', {
    hint: 'use the SQLite store (`store: ./.ferry/ferry.db` in ferry.yaml) for the service',
  });
}
