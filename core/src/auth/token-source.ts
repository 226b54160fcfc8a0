import type { ConnectionSpec } from '../contract/pipeline.js';
import type { StoredToken } from './stored-token.js';
import type { TokenVault } from './token-vault.js';

/** `ghl-main` → `GHL_MAIN_TOKEN`: where a bearer token may come from when ferry.yaml does not name one. */
export function tokenEnvName(connection: string): string {
  return `${connection.toUpperCase().replaceAll(/[^A-Z0-9]/g, '_')}_TOKEN`;
}

/** Where a connection's token comes from, in the order runs look: ferry.yaml, the environment, the vault. */
export type TokenSource =
  | { readonly from: 'config' | 'env'; readonly token: string }
  | { readonly from: 'vault'; readonly token: StoredToken }
  | { readonly from: 'none' };

/**
 * The token a run of this connection would use. oauth2 tokens live in the vault only; a bearer token in
 * ferry.yaml wins over `<CONNECTION>_TOKEN`, which wins over one stored by `ferry auth --token-stdin`. The vault
 * is opened only when it is needed.
 */
export function tokenSource(spec: ConnectionSpec, vault: () => TokenVault, env: Readonly<Record<string, string | undefined>>): TokenSource {
  if (spec.auth.kind === 'none') return { from: 'none' };
  if (spec.auth.kind === 'bearer') {
    if (spec.auth.token !== undefined && spec.auth.token !== '') return { from: 'config', token: spec.auth.token };
    const fromEnv = env[tokenEnvName(spec.name)];
    if (fromEnv !== undefined && fromEnv !== '') return { from: 'env', token: fromEnv };
  }
  const stored = vault().get(spec.name);
  return stored === undefined ? { from: 'none' } : { from: 'vault', token: stored };
}
