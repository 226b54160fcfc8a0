import type Database from 'better-sqlite3';
import { FerryError } from '../errors/index.js';
import type { Migration } from './migrations.js';

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
  readonly applied: readonly Migration[];
}

const createVersionTable = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** Highest applied migration, 0 for a new (or non-ferry) database. Reads only. */
export function readSchemaVersion(db: Database.Database): number {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  if (table === undefined) return 0;
  const version = db.prepare<[], number | null>('SELECT max(version) FROM schema_migrations').pluck().get();
  return version ?? 0;
}

/** Versions must run 1, 2, 3 … so that "applied up to N" says exactly which steps ran. */
function assertWellFormed(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new FerryError('STORE_MIGRATIONS_INVALID', `Store migration '${migration.name}' has version ${migration.version}; expected ${index + 1}.`, {
        hint: 'Migration versions start at 1 and go up by one, in order; append new migrations, never renumber.',
      });
    }
  });
}

export function tooNewError(file: string, storeVersion: number, knownVersion: number): FerryError {
  return new FerryError('STORE_TOO_NEW', `The store ${file} has schema version ${storeVersion}; this ferry knows versions up to ${knownVersion}.`, {
    hint: 'A newer ferry wrote this store. Upgrade ferry to at least the version that wrote it, or point `store:` in ferry.yaml at another file.',
    details: { file, storeVersion, knownVersion },
  });
}

/**
 * Brings the database up to the last migration. Each migration runs in its own IMMEDIATE transaction together
 * with its version row, so a process killed mid-way leaves the previous version intact and the next open
 * finishes the job. The version is read again under the write lock: two processes opening a new store at once
 * apply each migration exactly once.
 */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[], file: string): MigrationResult {
  assertWellFormed(migrations);
  const known = migrations.length;
  const from = readSchemaVersion(db);
  if (from > known) throw tooNewError(file, from, known);
  if (from === known) return { from, to: from, applied: [] };

  db.exec(createVersionTable);
  const currentVersion = db.prepare<[], number | null>('SELECT max(version) FROM schema_migrations').pluck();
  const recordVersion = db.prepare<[number, string, string]>('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: Migration[] = [];
  const applyOne = db.transaction((migration: Migration): boolean => {
    const current = currentVersion.get() ?? 0;
    if (current >= migration.version) return false;
    db.exec(migration.up);
    recordVersion.run(migration.version, migration.name, new Date().toISOString());
    return true;
  });
  for (const migration of migrations.slice(from)) {
    if (applyOne.immediate(migration)) applied.push(migration);
  }
  const to = currentVersion.get() ?? 0;
  if (to > known) throw tooNewError(file, to, known);
  return { from, to, applied };
}
