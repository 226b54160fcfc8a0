import { DEFAULT_PAGE_SIZE, pageSizeSetting } from '../shared/page-size.js';
import { optionalPositiveInteger, optionalString, requiredString } from '../shared/settings.js';

export interface SqliteSettings {
  readonly path: string;
  readonly table: string | undefined;
  readonly primaryKey: string;
  readonly pageSize: number;
}

const identifierPattern = '^[A-Za-z_][A-Za-z0-9_]{0,62}$';

export const sqliteConfigSchema = {
  type: 'object',
  title: 'SQLite warehouse',
  description:
    'A SQLite file used as a warehouse: `upsert` and `delete` write tables derived from the source stream; the `rows` stream reads one table back.',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description: 'Path of the SQLite file (created with its directory when missing); relative paths resolve against the directory of ferry.yaml.',
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
  },
} as const;

/** Options of `upsert` and `delete` (`with:` in a pipeline). */
export const tableOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    table: {
      type: 'string',
      pattern: identifierPattern,
      description: "Table to write (default: the source stream's name, with characters other than letters, digits and _ turned into _).",
    },
    primaryKey: {
      type: 'string',
      pattern: identifierPattern,
      description: "Field of the mapped record that keys the row (default: the source stream's primary key).",
    },
  },
} as const;

/** The key column of the `rows` stream, readable without the rest of the settings. */
export function readSqliteKey(config: Readonly<Record<string, unknown>>): string {
  return optionalString(config, 'sqlite', 'primaryKey') ?? 'id';
}

export function readSqliteSettings(config: Readonly<Record<string, unknown>>): SqliteSettings {
  return {
    path: requiredString(config, 'sqlite', 'path'),
    table: optionalString(config, 'sqlite', 'table'),
    primaryKey: readSqliteKey(config),
    pageSize: optionalPositiveInteger(config, 'sqlite', 'pageSize') ?? DEFAULT_PAGE_SIZE,
  };
}
