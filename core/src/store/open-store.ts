import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from '../contract/index.js';
import { FerryError } from '../errors/index.js';
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { WebhookInbox } from './webhook-inbox.js';

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

function unsupported(location: string, scheme: string): FerryError {
  const planned = scheme === 'postgres' || scheme === 'postgresql';
  return new FerryError('STORE_UNSUPPORTED', `This ferry cannot use a ${planned ? 'PostgreSQL' : `'${scheme}:'`} store (${redact(location)}).`, {
    hint: planned
      ? 'PostgreSQL stores are not available yet. Use a SQLite file for now, e.g. `store: ./ferry.db` in ferry.yaml; the processes of one machine can share it.'
      : 'Set `store:` in ferry.yaml to a file path (./ferry.db) or a sqlite: location (sqlite:./ferry.db).',
    details: { scheme },
  });
}

/** A URL may carry a password (postgres://user:secret@host/db): it never reaches a message. */
function redact(location: string): string {
  return location.replace(/\/\/[^/@]*@/, '//***@');
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
 * Opens the store that ferry.yaml's `store:` names. Today that is always SQLite (also `:memory:` for tests);
 * a PostgreSQL URL is refused with STORE_UNSUPPORTED until that store exists.
 */
export function openStore(location: string, baseDir: string, options: SqliteStoreOptions = {}): Store & WebhookInbox {
  const trimmed = location.trim();
  if (trimmed === '') {
    throw new FerryError('STORE_LOCATION_EMPTY', 'The store location is empty.', {
      hint: 'Set `store:` in ferry.yaml to a file path such as ./ferry.db, or leave it out to use ./ferry.db.',
    });
  }
  return new SqliteStore(sqlitePath(trimmed, baseDir), options);
}
