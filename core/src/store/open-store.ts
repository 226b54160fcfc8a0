import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerryError } from '../errors/index.js';
import { isPostgresLocation, parsePostgresLocation, redactLocation } from './postgres/postgres-location.js';
import { PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

/** Options of either store; each takes the ones it knows (busyTimeoutMs and readonly mean the same to both). */
export type OpenStoreOptions = SqliteStoreOptions & PostgresStoreOptions;

/** Either store: both implement Store and WebhookInbox, plus schemaVersion, deleteValue and the inbox counts. */
export type OpenedStore = SqliteStore | PostgresStore;

function unsupported(location: string, scheme: string): FerryError {
  return new FerryError('STORE_UNSUPPORTED', `This ferry cannot use a '${scheme}:' store (${redactLocation(location)}).`, {
    hint: 'Set `store:` in ferry.yaml to a file path (./ferry.db), a sqlite: location (sqlite:./ferry.db), or a PostgreSQL URL (postgres://user@host:5432/db?schema=ferry).',
    details: { scheme },
  });
}

/** `~/x.db` → home folder; relative paths start at `baseDir` (the folder of ferry.yaml). */
function resolvePath(path: string, baseDir: string): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The file path a SQLite location names: `ferry.db`, `sqlite:ferry.db`, `sqlite:///abs/ferry.db`, `file:///abs/ferry.db`. */
function sqlitePath(location: string, baseDir: string): string {
  if (location === ':memory:' || location === 'sqlite::memory:') return ':memory:';
  const scheme = SCHEME.exec(location)?.[1]?.toLowerCase();
  // A one-letter "scheme" is a Windows drive (C:\ferry.db).
  if (scheme === undefined || scheme.length === 1) return resolvePath(location, baseDir);
  if (scheme === 'file') return fileURLToPath(location);
  if (scheme === 'sqlite' || scheme === 'sqlite3') {
    const rest = location.slice(scheme.length + 1);
    return resolvePath(rest.startsWith('//') ? rest.slice(2) : rest, baseDir);
  }
  throw unsupported(location, scheme);
}

/**
 * Opens the store that ferry.yaml's `store:` names.
 *
 * - A file path or `sqlite:` location (also `:memory:` for tests): a SQLite file, shared safely by the processes
 *   of one machine.
 * - `postgres://user:password@host:5432/database?schema=ferry` (or `postgresql://`): PostgreSQL, for processes on
 *   several machines sharing one store. `schema` picks the schema that holds the tables (default `public`); it is
 *   created, and the tables migrated, on first use. Each store call is a synchronous round trip (about a
 *   millisecond on a local network); the engine's main path calls the store at page and batch boundaries, so
 *   a run pays it per page rather than per record.
 *
 * Both back ends keep the same tables through the same numbered migrations (see core/src/store/README.md).
 */
export function openStore(location: string, baseDir: string, options: OpenStoreOptions = {}): OpenedStore {
  const trimmed = location.trim();
  if (trimmed === '') {
    throw new FerryError('STORE_LOCATION_EMPTY', 'The store location is empty.', {
      hint: 'Set `store:` in ferry.yaml to a file path such as ./ferry.db (or a postgres:// URL), or leave it out to use ./ferry.db.',
    });
  }
  if (isPostgresLocation(trimmed)) return new PostgresStore(parsePostgresLocation(trimmed), options);
  return new SqliteStore(sqlitePath(trimmed, baseDir), options);
}
