export { SqliteStore, openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { PostgresStore, openPostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
export { POSTGRES_MIGRATIONS } from './postgres/postgres-migrations.js';
export { openStore, type OpenStoreOptions, type OpenedStore } from './open-store.js';
export { STORE_MIGRATIONS, type Migration } from './migrations.js';
export { applyMigrations, readSchemaVersion, type MigrationResult } from './migrate.js';
export { toStoreError, type StoreErrorCode } from './store-error.js';
export type { InboxDelivery, InboxNextFilter, InboxPut, InboxStatus, WebhookInbox } from './webhook-inbox.js';
