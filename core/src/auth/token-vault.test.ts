import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openSqliteStore } from '../store/sqlite-store.js';
import { createTokenVault, openTokenVault, TOKEN_NAMESPACE, type KeyValueStore } from './token-vault.js';
import type { StoredToken } from './stored-token.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-vault-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A plain in-memory key/value area: the vault needs nothing more from a store. */
function memoryStore(): KeyValueStore & { rows: Map<string, string> } {
  const rows = new Map<string, string>();
  return {
    rows,
    getValue: (ns, key) => rows.get(`${ns}/${key}`),
    setValue: (ns, key, value) => void rows.set(`${ns}/${key}`, value),
  };
}

const token: StoredToken = {
  kind: 'oauth2',
  accessToken: 'at-MARKER-7f3a9c',
  refreshToken: 'rt-MARKER-2b8d41',
  expiresAt: '2030-01-01T00:00:00.000Z',
  scopes: ['contacts.readonly'],
  account: 'loc-1',
  tokenType: 'Bearer',
  obtainedAt: '2026-01-01T00:00:00.000Z',
};

describe('TokenVault', () => {
  it('round-trips a token and shows its status without the secrets', () => {
    const vault = createTokenVault({ store: memoryStore(), key: randomBytes(32) });
    vault.put('ghl', token);
    expect(vault.get('ghl')).toEqual(token);
    const status = vault.status('ghl');
    expect(status).toMatchObject({ connection: 'ghl', kind: 'oauth2', account: 'loc-1', scopes: ['contacts.readonly'], expired: false, refreshable: true });
    expect(JSON.stringify(status)).not.toMatch(/MARKER/);
    expect(vault.get('other')).toBeUndefined();
    vault.remove('ghl');
    expect(vault.get('ghl')).toBeUndefined();
  });

  it('uses a fresh IV for every write', () => {
    const store = memoryStore();
    const vault = createTokenVault({ store, key: randomBytes(32) });
    vault.put('ghl', token);
    const first = store.rows.get(`${TOKEN_NAMESPACE}/ghl`);
    vault.put('ghl', token);
    expect(store.rows.get(`${TOKEN_NAMESPACE}/ghl`)).not.toBe(first);
  });

  it('detects tampering', () => {
    const store = memoryStore();
    const vault = createTokenVault({ store, key: randomBytes(32) });
    vault.put('ghl', token);
    const sealed = store.rows.get(`${TOKEN_NAMESPACE}/ghl`) ?? '';
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    store.rows.set(`${TOKEN_NAMESPACE}/ghl`, `v1.${bytes.toString('base64url')}`);
    expect(() => vault.get('ghl')).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_UNREADABLE', message: expect.stringMatching(/wrong key, or the data was altered/) }));
  });

  it('says clearly when the key is not the one the token was stored with', () => {
    const store = memoryStore();
    createTokenVault({ store, key: randomBytes(32) }).put('ghl', token);
    const other = createTokenVault({ store, key: randomBytes(32) });
    expect(() => other.get('ghl')).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_UNREADABLE', hint: expect.stringMatching(/FERRY_SECRET_KEY/) }));
  });

  it('binds a ciphertext to its connection name', () => {
    const store = memoryStore();
    const vault = createTokenVault({ store, key: randomBytes(32) });
    vault.put('ghl', token);
    store.rows.set(`${TOKEN_NAMESPACE}/salesmsg`, store.rows.get(`${TOKEN_NAMESPACE}/ghl`) ?? '');
    expect(() => vault.get('salesmsg')).toThrow(expect.objectContaining({ code: 'AUTH_TOKEN_UNREADABLE' }));
  });

  it('leaves no plaintext token bytes in the SQLite files', () => {
    const dir = tempDir();
    const store = openSqliteStore(join(dir, 'ferry.db'));
    const vault = openTokenVault({ store, projectDir: dir, env: {} });
    vault.put('ghl', token);
    vault.put('ghl', { ...token, rotatedAt: '2026-01-02T00:00:00.000Z' });
    expect(vault.get('ghl')?.accessToken).toBe(token.accessToken);
    store.close();
    const files = readdirSync(dir).filter((f) => f.startsWith('ferry.db'));
    expect(files).toContain('ferry.db');
    for (const file of files) {
      const bytes = readFileSync(join(dir, file));
      expect(bytes.includes('MARKER')).toBe(false);
    }
    // The same store and key file open the token again.
    const reopened = openSqliteStore(join(dir, 'ferry.db'));
    expect(openTokenVault({ store: reopened, projectDir: dir, env: {} }).get('ghl')?.refreshToken).toBe(token.refreshToken);
    reopened.close();
  });
});
