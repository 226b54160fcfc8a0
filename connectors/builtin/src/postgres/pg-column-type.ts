import type { ColumnType } from '../sqlite/column-type.js';

/**
 * How a JSON value is kept in a PostgreSQL column. The JSON types are decided as for the SQLite warehouse (from
 * the source stream's schema, else from the first value); PostgreSQL then has a native type for each, so values
 * come back as they were written without a catalog of our own.
 */

/** A column of a warehouse table: its name and its PostgreSQL type name (`udt_name`: text, int8, jsonb, …). */
export interface PgColumn {
  readonly name: string;
  readonly pgType: string;
}

/** string → text, integer → bigint, number → double precision, boolean → boolean, object/array/any → jsonb. */
export function pgTypeOf(type: ColumnType): string {
  switch (type) {
    case 'string':
      return 'text';
    case 'integer':
      return 'bigint';
    case 'number':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'object':
    case 'array':
    case 'any':
      // Values of any JSON type fit, and come back with their type: a column whose first value was null.
      return 'jsonb';
  }
}

/** json and jsonb columns take the JSON text of a value; every other column takes the value itself. */
export function isJsonColumn(column: PgColumn): boolean {
  return column.pgType === 'jsonb' || column.pgType === 'json';
}

function jsonText(value: unknown): string | null {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  const text = JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
  return text === undefined ? null : text;
}

/**
 * The parameter to bind for a value written to a column. Objects and arrays always go as JSON text: the driver
 * would otherwise turn an array into a PostgreSQL array literal. Values a column cannot take (text into bigint)
 * are left to PostgreSQL, whose error fails that record alone.
 */
export function toPgParam(value: unknown, column: PgColumn): unknown {
  if (value === undefined || value === null) return null;
  if (isJsonColumn(column)) return jsonText(value);
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'object':
      if (value instanceof Date) return value.toISOString();
      if (Buffer.isBuffer(value)) return value;
      return jsonText(value);
    default:
      return null;
  }
}
