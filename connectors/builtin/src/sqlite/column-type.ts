/**
 * How a JSON value is kept in a SQLite column and read back. The JSON type of each column is recorded in the
 * warehouse's `_ferry_columns` table, so booleans and objects come back as booleans and objects.
 */
export const COLUMN_TYPES = ['string', 'integer', 'number', 'boolean', 'object', 'array', 'any'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export type SqlValue = string | number | bigint | Buffer | null;

export function isColumnType(value: unknown): value is ColumnType {
  return (COLUMN_TYPES as readonly unknown[]).includes(value);
}

/** The column type a JSON Schema describes (nullable types and single-branch anyOf/oneOf included). */
export function columnTypeOfSchema(schema: unknown): ColumnType {
  if (typeof schema !== 'object' || schema === null) return 'any';
  const { type, anyOf, oneOf } = schema as { type?: unknown; anyOf?: unknown; oneOf?: unknown };
  const types = (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === 'string' && t !== 'null');
  if (types.length === 1 && isColumnType(types[0]) && types[0] !== 'any') return types[0];
  if (types.length === 2 && types.includes('integer') && types.includes('number')) return 'number';
  for (const branches of [anyOf, oneOf]) {
    if (!Array.isArray(branches)) continue;
    const kinds = new Set(branches.map(columnTypeOfSchema).filter((kind) => kind !== 'any'));
    const [only] = kinds;
    if (kinds.size === 1 && only !== undefined) return only;
  }
  return 'any';
}

/** The column type a value suggests, for fields the source schema does not describe. */
export function columnTypeOfValue(value: unknown): ColumnType {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'bigint':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'object':
      if (value === null) return 'any';
      return Array.isArray(value) ? 'array' : 'object';
    default:
      return 'any';
  }
}

/** Declared SQL type: string → TEXT, integer → INTEGER, number → REAL, boolean → INTEGER, object/array → TEXT (JSON). */
export function sqlTypeOf(type: ColumnType): string {
  switch (type) {
    case 'string':
    case 'object':
    case 'array':
      return 'TEXT';
    case 'integer':
    case 'boolean':
      return 'INTEGER';
    case 'number':
      return 'REAL';
    case 'any':
      return '';
  }
}

/** The column type of a column that ferry did not create, from its declared SQL type. */
export function columnTypeOfSqlType(declared: string): ColumnType {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'integer';
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'string';
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return 'number';
  return 'any';
}

export function toSqlValue(value: unknown): SqlValue {
  switch (typeof value) {
    case 'string':
    case 'bigint':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value ? 1 : 0;
    case 'object':
      if (value === null) return null;
      if (Buffer.isBuffer(value)) return value;
      if (value instanceof Date) return value.toISOString();
      return JSON.stringify(value);
    default:
      return null;
  }
}

export function fromSqlValue(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'boolean' && typeof value === 'number') return value !== 0;
  if ((type === 'object' || type === 'array') && typeof value === 'string') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}
