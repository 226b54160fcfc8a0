import { FerryError } from '../../errors/index.js';
import { tooNewError, type MigrationResult } from '../migrate.js';
import type { Migration } from '../migrations.js';
import type { PgSession, SyncPgPool } from './sync-pg-pool.js';

const createVersionTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL
)`;

/** Highest applied migration, 0 for a new (or non-ferry) schema. Reads only. */
export function readPostgresSchemaVersion(pool: SyncPgPool): number {
  // to_regclass looks the table up in the connection's search_path: the store's schema.
  const [table] = pool.query<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`).rows;
  if (table?.present !== true) return 0;
  return pool.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations').rows[0]?.version ?? 0;
}

function assertWellFormed(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new FerryError('STORE_MIGRATIONS_INVALID', `Store migration '${migration.name}' has version ${migration.version}; expected ${index + 1}.`, {
        hint: 'Migration versions start at 1 and go up by one, in order; append new migrations, never renumber.',
      });
    }
  });
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function migrateLocked(session: PgSession, migrations: readonly Migration[], schema: string, where: string): Migration[] {
  // Waiting for another process's migration, or migrating a large table, is expected: no timeouts here.
  session.query('SET LOCAL lock_timeout = 0');
  session.query('SET LOCAL statement_timeout = 0');
  // One lock per database and schema: every process opening this store waits here until the first has migrated.
  session.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`ferry store migrations: ${schema}`]);
  // CREATE SCHEMA needs the right to create in the database even when the schema exists: only when it is missing.
  if (session.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]).rows.length === 0) {
    session.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
  }
  session.query(createVersionTable);
  // Read again under the lock: another process may have migrated while this one waited.
  const current = session.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations').rows[0]?.version ?? 0;
  if (current > migrations.length) throw tooNewError(where, current, migrations.length);
  const applied = migrations.slice(current);
  for (const migration of applied) {
    session.query(migration.up);
    session.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [migration.version, migration.name]);
  }
  return applied;
}

/**
 * Brings the store's schema (created if missing) up to the last migration, in one transaction under a
 * transaction-level advisory lock: several processes starting at once apply each migration exactly once, and
 * a process killed mid-way leaves the previous version intact (PostgreSQL's DDL is transactional).
 */
export function applyPostgresMigrations(pool: SyncPgPool, migrations: readonly Migration[], schema: string): MigrationResult {
  assertWellFormed(migrations);
  const known = migrations.length;
  const from = readPostgresSchemaVersion(pool);
  if (from > known) throw tooNewError(pool.where, from, known);
  if (from === known) return { from, to: from, applied: [] };

  const applied = pool.withSession((session) => {
    session.query('BEGIN');
    try {
      const done = migrateLocked(session, migrations, schema, pool.where);
      session.query('COMMIT');
      return done;
    } catch (error) {
      // The session is dropped after a failure anyway; the rollback ends the transaction cleanly when it can.
      try {
        session.query('ROLLBACK');
      } catch {
        // The connection is gone: the server rolls the transaction back itself.
      }
      throw error;
    }
  });
  return { from, to: known, applied };
}
