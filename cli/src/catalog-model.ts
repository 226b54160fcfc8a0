import type { AuthKind, ConnectorDef, Idempotence, JsonSchema, SyncMode } from '@ferry/core';

/** The catalog entry of one connector, derived only from its definition object: nothing is listed by hand. */
export interface CatalogConnector {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly auth: readonly CatalogAuth[];
  readonly scopes: { readonly read: readonly string[]; readonly write: readonly string[] } | undefined;
  readonly limits: CatalogLimits | undefined;
  readonly config: readonly CatalogField[];
  readonly streams: readonly CatalogStream[];
  readonly actions: readonly CatalogAction[];
  readonly triggers: readonly CatalogTrigger[];
  readonly sandbox: boolean;
}

export type CatalogAuth =
  | { readonly kind: 'oauth2'; readonly authorizeUrl: string; readonly tokenUrl: string }
  | { readonly kind: 'bearer'; readonly label: string }
  | { readonly kind: 'none' };

export interface CatalogLimits {
  readonly windows: readonly { readonly max: number; readonly perMs: number }[];
  readonly penaltyMs: number | undefined;
  readonly maxConcurrent: number | undefined;
  readonly readsRateHeaders: boolean;
}

export interface CatalogField {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string | undefined;
}

export interface CatalogStream {
  readonly name: string;
  readonly description: string;
  readonly primaryKey: string;
  readonly cursorField: string | undefined;
  readonly syncModes: readonly SyncMode[];
  readonly scope: string | undefined;
  readonly params: readonly string[];
  readonly parent: { readonly stream: string; readonly param: string; readonly from: string } | undefined;
}

export interface CatalogAction {
  readonly name: string;
  readonly description: string;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly scope: string | undefined;
  readonly idempotence: Idempotence;
  readonly options: readonly string[];
  readonly plan: boolean;
}

export interface CatalogTrigger {
  readonly name: string;
  readonly description: string;
  readonly kind: 'webhook' | 'poll';
  readonly stream: string;
  readonly verified: boolean;
}

function propertyNames(schema: JsonSchema | undefined): string[] {
  const properties = schema?.['properties'];
  return properties !== null && typeof properties === 'object' ? Object.keys(properties) : [];
}

function describeFields(schema: JsonSchema): CatalogField[] {
  const properties = schema['properties'];
  if (properties === null || typeof properties !== 'object') return [];
  const required = new Set(Array.isArray(schema['required']) ? schema['required'].filter((r) => typeof r === 'string') : []);
  return Object.entries(properties as Record<string, unknown>).map(([name, raw]) => {
    const property = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
    const type = property['type'];
    const description = property['description'];
    return {
      name,
      type: Array.isArray(type) ? type.join('|') : typeof type === 'string' ? type : 'any',
      required: required.has(name),
      description: typeof description === 'string' ? description : undefined,
    };
  });
}

function describeAuth(kind: AuthKind): CatalogAuth {
  switch (kind.kind) {
    case 'oauth2':
      return { kind: 'oauth2', authorizeUrl: kind.authorizeUrl, tokenUrl: kind.tokenUrl };
    case 'bearer':
      return { kind: 'bearer', label: kind.label };
    case 'none':
      return { kind: 'none' };
  }
}

export function describeConnector(connector: ConnectorDef): CatalogConnector {
  return {
    name: connector.name,
    version: connector.version,
    description: connector.description,
    auth: connector.auth.map(describeAuth),
    scopes: connector.scopes === undefined ? undefined : { read: [...connector.scopes.read], write: [...connector.scopes.write] },
    limits:
      connector.limits === undefined
        ? undefined
        : {
            windows: connector.limits.windows.map((w) => ({ max: w.max, perMs: w.perMs })),
            penaltyMs: connector.limits.penaltyMs,
            maxConcurrent: connector.limits.maxConcurrent,
            readsRateHeaders: connector.limits.readHeaders !== undefined,
          },
    config: describeFields(connector.configSchema),
    streams: connector.streams.map((stream) => ({
      name: stream.name,
      description: stream.description,
      primaryKey: stream.primaryKey,
      cursorField: stream.cursorField,
      syncModes: [...stream.syncModes],
      scope: stream.scope,
      params: propertyNames(stream.params),
      parent: stream.parent === undefined ? undefined : { ...stream.parent },
    })),
    actions: connector.actions.map((action) => ({
      name: action.name,
      description: action.description,
      method: action.http?.method,
      path: action.http?.path,
      scope: action.scope,
      idempotence: action.idempotence,
      options: propertyNames(action.options),
      plan: action.find !== undefined,
    })),
    triggers: connector.triggers.map((trigger) => ({
      name: trigger.name,
      description: trigger.description,
      kind: trigger.kind,
      stream: trigger.stream,
      verified: trigger.verify !== undefined,
    })),
    sandbox: connector.sandbox !== undefined,
  };
}
