import type { BearerAuthKind, ConnectorDef } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import type { ConnectionSpec, PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import { pipelineConnections } from './connection-uses.js';
import { connectionScopes, missingScopes } from './scopes.js';
import { tokenEnvName, tokenSource } from './token-source.js';
import type { TokenVault } from './token-vault.js';

/** What a connection's token is known to grant. */
export type GrantedScopes =
  | { readonly state: 'no-token' }
  /** A token whose scopes nobody can tell (a bearer token without `auth.scopes`, a grant that named none). */
  | { readonly state: 'unknown'; readonly reason: string }
  | { readonly state: 'known'; readonly scopes: readonly string[]; readonly from: 'vault' | 'config' };

/** A pipeline that cannot run with a connection's token as it is. */
export interface ScopeShortfall {
  readonly pipeline: string;
  readonly connection: string;
  readonly kind: 'oauth2' | 'bearer';
  /** Every scope the pipeline needs on the connection. */
  readonly needed: readonly string[];
  /** The needed scopes the token lacks (all of them when there is no token). */
  readonly missing: readonly string[];
  readonly noToken: boolean;
}

export interface ScopeCheckOptions {
  /** Where `<CONNECTION>_TOKEN` bearer tokens come from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Skipped checks are logged at debug level. */
  readonly log?: Logger;
}

/** The vault, opened once and only when a connection needs it (opening may create the key file). */
export type VaultSource = TokenVault | (() => TokenVault);

function lazyVault(vault: VaultSource): () => TokenVault {
  if (typeof vault !== 'function') return () => vault;
  let opened: TokenVault | undefined;
  return () => (opened ??= vault());
}

/**
 * The scopes a connection's token grants: for oauth2 what the grant said (kept in the vault); for a bearer token
 * the connection's `auth.scopes` when given, else what `ferry auth --token-stdin --scopes` recorded with it.
 */
export function grantedScopes(spec: ConnectionSpec, vault: VaultSource, env: Readonly<Record<string, string | undefined>> = process.env): GrantedScopes {
  const source = tokenSource(spec, lazyVault(vault), env);
  if (source.from === 'none') return { state: 'no-token' };
  if (spec.auth.kind === 'bearer' && spec.auth.scopes !== undefined) return { state: 'known', scopes: spec.auth.scopes, from: 'config' };
  if (source.from === 'vault' && source.token.scopes.length > 0) return { state: 'known', scopes: source.token.scopes, from: 'vault' };
  if (source.from === 'vault') return { state: 'unknown', reason: 'the stored token records no scopes' };
  return { state: 'unknown', reason: `the token comes from ${source.from === 'env' ? tokenEnvName(spec.name) : 'ferry.yaml'} and auth.scopes does not say what it grants` };
}

/**
 * Every pipeline whose connections' tokens lack a scope it needs: reading a connection needs the connector's
 * read scopes, running an action on it adds its write scopes, discovering its partitions adds the partitions
 * grant's scopes (`connectionScopes`). Connections whose scopes cannot be
 * known are skipped (logged at debug level); the API then has the last word.
 */
export function findScopeShortfalls(
  pipelines: readonly PipelineSpec[],
  project: ProjectSpec,
  registry: ReadonlyMap<string, ConnectorDef>,
  vault: VaultSource,
  options: ScopeCheckOptions = {},
): ScopeShortfall[] {
  const openVault = lazyVault(vault);
  const env = options.env ?? process.env;
  const granted = new Map<string, GrantedScopes>();
  const shortfalls: ScopeShortfall[] = [];
  for (const pipeline of pipelines) {
    for (const [name, use] of pipelineConnections(pipeline)) {
      const spec = project.connections[name];
      const connector = spec === undefined ? undefined : registry.get(spec.connector);
      if (spec === undefined || connector === undefined || spec.auth.kind === 'none') continue;
      const needed = connectionScopes(connector, spec, use);
      if (needed.length === 0) continue;
      let grant = granted.get(name);
      if (grant === undefined) {
        grant = grantedScopes(spec, openVault, env);
        granted.set(name, grant);
        if (grant.state === 'unknown') options.log?.debug({ connection: name, reason: grant.reason }, 'scope check skipped');
      }
      if (grant.state === 'unknown') continue;
      const missing = grant.state === 'no-token' ? needed : missingScopes(grant.scopes, needed, connector.scopes?.grantsAll);
      if (missing.length === 0) continue;
      shortfalls.push({ pipeline: pipeline.name, connection: name, kind: spec.auth.kind, needed, missing, noToken: grant.state === 'no-token' });
    }
  }
  return shortfalls;
}

function quoted(scopes: readonly string[]): string {
  return scopes.map((scope) => `'${scope}'`).join(', ');
}

function fixFor(shortfall: ScopeShortfall, project: ProjectSpec, registry: ReadonlyMap<string, ConnectorDef>): string {
  const { connection } = shortfall;
  if (shortfall.kind === 'oauth2') {
    const what = shortfall.noToken ? 'to connect it' : 'to grant it';
    return `run \`ferry auth ${connection}\` ${what} (this pipeline needs ${shortfall.needed.join(' ')}; the consent page asks for what every pipeline of the project needs)`;
  }
  const spec = project.connections[connection];
  const connector = spec === undefined ? undefined : registry.get(spec.connector);
  const label = connector?.auth.find((kind): kind is BearerAuthKind => kind.kind === 'bearer')?.label ?? 'token';
  if (shortfall.noToken) {
    return `create a ${label} with ${shortfall.needed.join(' ')} and store it with \`ferry auth ${connection} --token-stdin\`, or export ${tokenEnvName(connection)}`;
  }
  return (
    `create a ${label} with ${shortfall.needed.join(' ')} and store it with \`ferry auth ${connection} --token-stdin --scopes ${shortfall.needed.join(',')}\`` +
    (spec?.auth.scopes === undefined ? '' : ` (or correct auth.scopes of '${connection}' in ferry.yaml if the token has it)`)
  );
}

/**
 * Refuses a run before it reads anything when a token lacks a scope one of the pipelines needs, or an oauth2 or
 * bearer connection has no token at all: a systemic FerryError (`AUTH_MISSING_SCOPE`, `AUTH_MISSING`) that names
 * the pipeline, the connection, the missing scopes and the fix. Checks every given pipeline; the first shortfall
 * is the message, all of them are in `details.shortfalls`.
 */
export function checkPipelineScopes(
  pipelines: readonly PipelineSpec[],
  project: ProjectSpec,
  registry: ReadonlyMap<string, ConnectorDef>,
  vault: VaultSource,
  options: ScopeCheckOptions = {},
): void {
  const shortfalls = findScopeShortfalls(pipelines, project, registry, vault, options);
  const first = shortfalls[0];
  if (first === undefined) return;
  const others = shortfalls.length - 1;
  const more = others === 0 ? '' : ` (and ${others} more: ${shortfalls.slice(1).map((s) => `${s.pipeline} on ${s.connection}`).join(', ')})`;
  const details = {
    systemic: true,
    pipeline: first.pipeline,
    connection: first.connection,
    missing: first.missing,
    shortfalls: shortfalls.map(({ pipeline, connection, missing, noToken }) => ({ pipeline, connection, missing, noToken })),
  };
  if (first.noToken) {
    throw new FerryError('AUTH_MISSING', `pipeline '${first.pipeline}' uses connection '${first.connection}', which has no token${more}`, {
      hint: fixFor(first, project, registry),
      details,
    });
  }
  const noun = first.missing.length === 1 ? 'scope' : 'scopes';
  throw new FerryError(
    'AUTH_MISSING_SCOPE',
    `pipeline '${first.pipeline}' needs ${noun} ${quoted(first.missing)} on connection '${first.connection}', which its token does not grant${more}`,
    { hint: fixFor(first, project, registry), details },
  );
}
