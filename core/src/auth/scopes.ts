import type { ConnectorDef, OAuth2AuthKind } from '../contract/connector.js';
import type { ConnectionSpec } from '../contract/pipeline.js';
import { partitionsGrantOf } from './partitions-grant.js';

/**
 * The scopes to ask for: the connector's read scopes, plus its write scopes only when some pipeline writes
 * through the connection, so a read-only sync never holds a token that could change the CRM.
 */
export function scopesFor(connector: ConnectorDef, pipelines: { readonly reads: boolean; readonly writes: boolean }): string[] {
  const scopes = new Set<string>();
  if (pipelines.reads || pipelines.writes) for (const scope of connector.scopes?.read ?? []) scopes.add(scope);
  if (pipelines.writes) for (const scope of connector.scopes?.write ?? []) scopes.add(scope);
  return [...scopes];
}

/**
 * The scopes a connection's token needs for the pipelines that use it (`scopesFor`), plus — for an oauth2
 * connection declared with `partitions: discover` whose connector has a partitions grant — what listing and
 * reaching the partitions needs (GHL `oauth.readonly`, `oauth.write`). Nothing else: least privilege still.
 */
export function connectionScopes(connector: ConnectorDef, spec: ConnectionSpec, pipelines: { readonly reads: boolean; readonly writes: boolean }): string[] {
  const scopes = new Set(scopesFor(connector, pipelines));
  const auth = connector.auth.find((kind): kind is OAuth2AuthKind => kind.kind === 'oauth2');
  for (const scope of partitionsGrantOf(spec, auth)?.scopes ?? []) scopes.add(scope);
  return [...scopes];
}

/**
 * The needed scopes a token lacks, in the order they were needed. A token holding one of `grantsAll` (a legacy
 * all-access scope, `ConnectorDef.scopes.grantsAll`) lacks nothing.
 */
export function missingScopes(granted: readonly string[], needed: readonly string[], grantsAll: readonly string[] = []): string[] {
  const have = new Set(granted);
  if (grantsAll.some((scope) => have.has(scope))) return [];
  return [...new Set(needed)].filter((scope) => !have.has(scope));
}
