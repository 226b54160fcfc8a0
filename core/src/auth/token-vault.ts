import type { Store } from '../contract/store.js';
import { FerryError } from '../errors/ferry-error.js';
import { defaultKeyFile, loadSecretKey } from './secret-key.js';
import { openSecret, sealSecret } from './token-cipher.js';
import { parseStoredToken, tokenStatus, type StoredToken, type TokenStatus } from './stored-token.js';

/** The part of the Store the vault needs (any Store has it). */
export type KeyValueStore = Pick<Store, 'getValue' | 'setValue'> & {
  deleteValue?(namespace: string, key: string): boolean;
};

export const TOKEN_NAMESPACE = 'tokens';

/** Tokens per connection, encrypted at rest. */
export interface TokenVault {
  get(connection: string): StoredToken | undefined;
  /** Replaces the connection's token in one write (the rotated refresh token lands with its access token). */
  put(connection: string, token: StoredToken): void;
  status(connection: string): TokenStatus | undefined;
  remove(connection: string): void;
}

/** The store behind each vault: vaults over one store share one identity (see `vaultIdentity`). */
const vaultStores = new WeakMap<TokenVault, object>();

/**
 * What identifies the tokens a vault holds: its store, so that two vaults opened over one store (one per run
 * in a service) are known to hold the same tokens; the vault itself for vaults made elsewhere.
 */
export function vaultIdentity(vault: TokenVault): object {
  return vaultStores.get(vault) ?? vault;
}

export function createTokenVault(options: { store: KeyValueStore; key: Buffer }): TokenVault {
  const { store, key } = options;
  const vault: TokenVault = {
    get(connection) {
      const sealed = store.getValue(TOKEN_NAMESPACE, connection);
      if (sealed === undefined || sealed === '') return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(openSecret(key, sealed, connection));
      } catch (error) {
        if (error instanceof FerryError) throw error;
        parsed = undefined;
      }
      const token = parseStoredToken(parsed);
      if (token === undefined) {
        throw new FerryError('AUTH_TOKEN_UNREADABLE', `the stored token of '${connection}' is incomplete`, {
          hint: `run \`ferry auth ${connection}\` to store it again`,
          details: { systemic: true },
        });
      }
      return token;
    },
    put(connection, token) {
      store.setValue(TOKEN_NAMESPACE, connection, sealSecret(key, JSON.stringify(token), connection));
    },
    status(connection) {
      const token = this.get(connection);
      return token === undefined ? undefined : tokenStatus(connection, token);
    },
    remove(connection) {
      if (store.deleteValue !== undefined) store.deleteValue(TOKEN_NAMESPACE, connection);
      else store.setValue(TOKEN_NAMESPACE, connection, '');
    },
  };
  vaultStores.set(vault, store);
  return vault;
}

/** The project's vault: key from FERRY_SECRET_KEY or `<project>/.ferry/secret.key` (created when missing). */
export function openTokenVault(options: {
  store: KeyValueStore;
  projectDir: string;
  keyFile?: string;
  env?: Readonly<Record<string, string | undefined>>;
}): TokenVault {
  const key = loadSecretKey({
    keyFile: options.keyFile ?? defaultKeyFile(options.projectDir),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  return createTokenVault({ store: options.store, key });
}
