import { FerryError } from '@ferry/core';
import { DEFAULT_PAGE_SIZE, pageSizeSetting } from '../shared/page-size.js';
import {
  optionalBoolean,
  optionalPositiveInteger,
  optionalString,
  optionalStringList,
  requiredString,
} from '../shared/settings.js';

export const CSV_COLUMN_TYPES = ['string', 'number', 'integer', 'boolean'] as const;
export type CsvColumnType = (typeof CSV_COLUMN_TYPES)[number];

export interface CsvSettings {
  readonly path: string;
  readonly delimiter: string;
  readonly primaryKey: string;
  /** Typed columns; the others stay strings. */
  readonly columns: Readonly<Record<string, CsvColumnType>>;
  /** Column names when the file has no header row. */
  readonly header: readonly string[] | undefined;
  readonly trim: boolean;
  readonly pageSize: number;
}

export const csvConfigSchema = {
  type: 'object',
  title: 'CSV file',
  description: 'A CSV file, read as the `records` stream (one record per row) and written by `append`.',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description: 'Path of the .csv file; relative paths resolve against the directory of ferry.yaml.',
    },
    delimiter: { type: 'string', minLength: 1, maxLength: 4, default: ',', description: 'Field delimiter (e.g. ";" or "\\t").' },
    primaryKey: {
      type: 'string',
      minLength: 1,
      default: 'id',
      description: 'Column that identifies a row; every row must have a value in it.',
    },
    columns: {
      type: 'object',
      description: 'Types of columns whose values are not strings, e.g. { age: integer, vip: boolean }. Empty cells of typed columns become null.',
      additionalProperties: { enum: [...CSV_COLUMN_TYPES] },
    },
    header: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', minLength: 1 },
      description: 'Column names, for a file WITHOUT a header row (then its first row is data). Leave out when the first row names the columns.',
    },
    trim: { type: 'boolean', default: false, description: 'Trim spaces around unquoted values.' },
    pageSize: pageSizeSetting,
  },
} as const;

function isColumnType(value: unknown): value is CsvColumnType {
  return (CSV_COLUMN_TYPES as readonly unknown[]).includes(value);
}

function readColumnTypes(config: Readonly<Record<string, unknown>>): Record<string, CsvColumnType> {
  const value = config['columns'];
  if (value === undefined) return {};
  const invalid = new FerryError('CONNECTION_CONFIG_INVALID', `csv connection setting 'columns' must map column names to ${CSV_COLUMN_TYPES.join('|')}`, {
    hint: "fix 'columns' under the connection's config in ferry.yaml, e.g. columns: { age: integer }",
    details: { connector: 'csv', setting: 'columns' },
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid;
  const types: Record<string, CsvColumnType> = {};
  for (const [column, type] of Object.entries(value)) {
    if (!isColumnType(type)) throw invalid;
    types[column] = type;
  }
  return types;
}

/** The settings that shape the stream (its key and typed columns), readable without the rest. */
export function readCsvShape(config: Readonly<Record<string, unknown>>): Pick<CsvSettings, 'primaryKey' | 'columns' | 'header'> {
  return {
    primaryKey: optionalString(config, 'csv', 'primaryKey') ?? 'id',
    columns: readColumnTypes(config),
    header: optionalStringList(config, 'csv', 'header'),
  };
}

export function readCsvSettings(config: Readonly<Record<string, unknown>>): CsvSettings {
  return {
    path: requiredString(config, 'csv', 'path'),
    delimiter: optionalString(config, 'csv', 'delimiter') ?? ',',
    ...readCsvShape(config),
    trim: optionalBoolean(config, 'csv', 'trim') ?? false,
    pageSize: optionalPositiveInteger(config, 'csv', 'pageSize') ?? DEFAULT_PAGE_SIZE,
  };
}
