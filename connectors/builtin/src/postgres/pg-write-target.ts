import { FerryError, type JsonRecord, type JsonSchema } from '@ferry/core';
import { columnTypeOfSchema, columnTypeOfValue, type ColumnType } from '../sqlite/column-type.js';
import { tableNameForStream } from '../sqlite/identifier.js';
import { assertPgIdentifier, identifierProblem, suggestedName } from './pg-identifier.js';
import { memoTarget } from '../shared/memo-target.js';
import type { PgTable } from './pg-table.js';
import type { ColumnSpec, PostgresWarehouse } from './postgres-warehouse.js';

/** The table and key column a write goes to. */
export interface PgWriteTarget {
  readonly table: string;
  readonly primaryKey: string;
}

/** The table and key of a write: the `with:` options, else derived from the source stream (as the SQLite warehouse does). */
export const pgWriteTarget = memoTarget((options, source): PgWriteTarget => {
  const table =
    typeof options['table'] === 'string'
      ? assertPgIdentifier(options['table'], 'table', 'set `with: { table: ... }` to a shorter name such as contacts')
      : assertPgIdentifier(tableNameForStream(source.stream), 'table', 'set `with: { table: ... }` in the pipeline to name the table');
  const primaryKey =
    typeof options['primaryKey'] === 'string'
      ? assertPgIdentifier(options['primaryKey'], 'column', 'set `with: { primaryKey: ... }` to a shorter field name')
      : assertPgIdentifier(source.primaryKey, 'column', 'map the key into a shorter field and set `with: { primaryKey: ... }` to it');
  return { table, primaryKey };
});

export function isKeyValue(value: unknown): value is string | number | bigint {
  return (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint';
}

export function missingKey(target: PgWriteTarget, action: string): FerryError {
  return new FerryError('POSTGRES_MISSING_KEY', `the record has no value for '${target.primaryKey}' to ${action} by (the key of table ${target.table})`, {
    hint: `map the source's id into '${target.primaryKey}', or set \`with: { primaryKey: ... }\` to a field every record has`,
    details: { table: target.table, primaryKey: target.primaryKey },
  });
}

/** The table cannot be keyed by the target's key: every record would fail alike, so the run stops. */
export function keyMismatch(table: PgTable, key: string): FerryError {
  const keyed = table.primaryKey === undefined ? 'no single-column primary key' : `primary key '${table.primaryKey}'`;
  return new FerryError('POSTGRES_KEY_MISMATCH', `table ${table.name} has ${keyed} and no unique index on '${key}'`, {
    hint:
      table.primaryKey === undefined
        ? `write to another table (\`with: { table: ... }\`), or add a unique index on '${key}'`
        : `set \`with: { primaryKey: ${table.primaryKey} }\`, or write to another table`,
    details: { table: table.name, primaryKey: key, systemic: true },
  });
}

/** The defined fields of a record, in its order: the columns a write sets. */
export function definedFields(record: JsonRecord): string[] {
  const fields: string[] = [];
  for (const field in record) if (record[field] !== undefined) fields.push(field);
  return fields;
}

function propertySchema(schema: JsonSchema, field: string): unknown {
  const properties = schema['properties'];
  if (typeof properties !== 'object' || properties === null) return undefined;
  return (properties as Record<string, unknown>)[field];
}

function schemaFields(schema: JsonSchema): string[] {
  const properties = schema['properties'];
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}

/** The JSON type of a new column: the source schema's, else what the value written to it suggests. */
function columnTypeFor(field: string, value: unknown, sourceSchema: JsonSchema): ColumnType {
  const fromSchema = columnTypeOfSchema(propertySchema(sourceSchema, field));
  return fromSchema !== 'any' ? fromSchema : columnTypeOfValue(value);
}

function keyColumnType(field: string, value: unknown, sourceSchema: JsonSchema): ColumnType {
  const type = columnTypeFor(field, value, sourceSchema);
  if (type === 'string' || type === 'integer' || type === 'number') return type;
  return columnTypeOfValue(value) === 'integer' ? 'integer' : 'string';
}

function assertFieldNames(fields: readonly string[]): void {
  for (const field of fields) {
    assertPgIdentifier(field, 'column', `rename the field in the pipeline's map (e.g. ${suggestedName(field)}: '${field.slice(0, 80)}')`);
  }
}

/**
 * The table for an upsert, created on first use and given a column for every field it lacks. As for the SQLite
 * warehouse, a new table takes its columns from the source stream's JSON Schema when the records are the source's
 * own (every field is a field of the schema), else from the record's fields, typed from the schema where names
 * match. Field names are kept exactly as written.
 */
export async function tableForUpsert(warehouse: PostgresWarehouse, target: PgWriteTarget, record: JsonRecord, sourceSchema: JsonSchema): Promise<PgTable> {
  const fields = definedFields(record);
  let table = await warehouse.table(target.table);
  if (table === undefined) {
    const keyValue = record[target.primaryKey];
    if (!isKeyValue(keyValue)) throw missingKey(target, 'write');
    assertFieldNames(fields);
    const others = fields.filter((field) => field !== target.primaryKey);
    const sourceFields = new Set(schemaFields(sourceSchema));
    const recordsAreSource = sourceFields.size > 0 && others.every((field) => sourceFields.has(field));
    // Schema fields PostgreSQL cannot name are left out until a record carries them (and is refused then).
    const names = recordsAreSource ? [...sourceFields].filter((field) => field !== target.primaryKey && identifierProblem(field, 'column') === undefined) : others;
    const key: ColumnSpec = { name: target.primaryKey, type: keyColumnType(target.primaryKey, keyValue, sourceSchema) };
    table = await warehouse.createTable(target.table, key, names.map((name) => ({ name, type: columnTypeFor(name, record[name], sourceSchema) })));
  }
  if (!table.isUniqueColumn(target.primaryKey)) throw keyMismatch(table, target.primaryKey);
  const missing = fields.filter((field) => table.column(field) === undefined);
  if (missing.length === 0) return table;
  assertFieldNames(missing);
  return warehouse.addColumns(table, missing.map((field) => ({ name: field, type: columnTypeFor(field, record[field], sourceSchema) })));
}
