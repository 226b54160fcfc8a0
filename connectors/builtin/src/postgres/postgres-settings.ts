import { DEFAULT_PAGE_SIZE, pageSizeSetting } from '../shared/page-size.js';
import { optionalPositiveInteger, optionalString, requiredString } from '../shared/settings.js';

export interface PostgresSettings {
  /** The connection URL; it may carry a password, so it never reaches a message or a log. */
  readonly url: string;
  readonly schema: string;
  readonly table: string | undefined;
  readonly primaryKey: string;
  readonly pageSize: number;
  readonly maxConnections: number;
}

const identifierPattern = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';
const DEFAULT_MAX_CONNECTIONS = 4;

export const postgresConfigSchema = {
  type: 'object',
  title: 'PostgreSQL warehouse',
  description:
    'A PostgreSQL schema used as a warehouse: `upsert` and `delete` write tables derived from the source stream; the `rows` stream reads one table back.',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: {
      type: 'string',
      pattern: '^postgres(ql)?://',
      description:
        'Connection URL, postgres://user:password@host:5432/database (add ?sslmode=require for TLS). Write it as ${DATABASE_URL} to keep the password out of ferry.yaml; it is never logged.',
    },
    schema: {
      type: 'string',
      pattern: identifierPattern,
      default: 'public',
      description: 'Schema holding the tables (created on the first write when missing).',
    },
    table: {
      type: 'string',
      pattern: identifierPattern,
      description: 'Table the `rows` stream reads. Writes name their table in the pipeline (`to.with.table`, default: the source stream).',
    },
    primaryKey: {
      type: 'string',
      pattern: identifierPattern,
      default: 'id',
      description: 'Key column of `table` for the `rows` stream (its primary key or a uniquely indexed column); rows are read in its order.',
    },
    pageSize: pageSizeSetting,
    maxConnections: {
      type: 'integer',
      minimum: 1,
      maximum: 100,
      default: DEFAULT_MAX_CONNECTIONS,
      description: 'Connections a run opens at most (writes in flight share them; idle ones close after 10 s).',
    },
  },
} as const;

/** The key column of the `rows` stream, readable without the rest of the settings. */
export function readPostgresKey(config: Readonly<Record<string, unknown>>): string {
  return optionalString(config, 'postgres', 'primaryKey') ?? 'id';
}

export function readPostgresSettings(config: Readonly<Record<string, unknown>>): PostgresSettings {
  return {
    url: requiredString(config, 'postgres', 'url'),
    schema: optionalString(config, 'postgres', 'schema') ?? 'public',
    table: optionalString(config, 'postgres', 'table'),
    primaryKey: readPostgresKey(config),
    pageSize: optionalPositiveInteger(config, 'postgres', 'pageSize') ?? DEFAULT_PAGE_SIZE,
    maxConnections: optionalPositiveInteger(config, 'postgres', 'maxConnections') ?? DEFAULT_MAX_CONNECTIONS,
  };
}
