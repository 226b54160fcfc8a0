import { FerryError, type ActionRequest, type JsonRecord, type JsonSchema } from '@ferry/core';
import { columnTypeOfValue, type ColumnType } from './column-type.js';
import { assertIdentifier, isPlainIdentifier, tableNameForStream } from './identifier.js';
import { memoTarget } from '../shared/memo-target.js';
import type { Warehouse } from './warehouse.js';
import { columnTypeFor, isKeyValue, type TableColumn, type WarehouseTable } from './warehouse-table.js';

export interface WriteTarget {
  readonly table: string;
  readonly primaryKey: string;
}

/** The table and key column a write goes to: the `with:` options, else derived from the source stream. */
export const writeTarget = memoTarget(resolveWriteTarget);

function resolveWriteTarget(options: ActionRequest['options'], source: ActionRequest['source']): WriteTarget {
  const table =
    typeof options['table'] === 'string'
      ? assertIdentifier(options['table'], 'table', 'set `with: { table: ... }` to a plain name such as contacts')
      : assertIdentifier(tableNameForStream(source.stream), 'table', 'set `with: { table: ... }` in the pipeline to name the table');
  const primaryKey =
    typeof options['primaryKey'] === 'string'
      ? assertIdentifier(options['primaryKey'], 'column', 'set `with: { primaryKey: ... }` to a plain field name')
      : assertIdentifier(source.primaryKey, 'column', 'map the key into a plain field and set `with: { primaryKey: ... }` to it');
  return { table, primaryKey };
}

function schemaFields(schema: JsonSchema): string[] {
  const properties = schema['properties'];
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}

function keyColumnType(field: string, value: unknown, sourceSchema: JsonSchema): ColumnType {
  const type = columnTypeFor(field, value, sourceSchema);
  if (type === 'string' || type === 'integer' || type === 'number') return type;
  return columnTypeOfValue(value) === 'integer' ? 'integer' : 'string';
}

/**
 * The table for a write, created on first use. Its columns come from the source stream's JSON Schema when the
 * records are the source's own (every field is a field of the schema: the stream materialised as is), so the
 * table has every documented field with its type from the start; when a map reshapes the records, the table has
 * the mapped fields, typed from the schema where names match. Fields that appear later are added as columns.
 */
export function tableForWrite(warehouse: Warehouse, target: WriteTarget, record: JsonRecord, sourceSchema: JsonSchema): WarehouseTable {
  const existing = warehouse.table(target.table);
  if (existing !== undefined) {
    if (existing.primaryKey?.toLowerCase() !== target.primaryKey.toLowerCase()) {
      throw new FerryError('SQLITE_KEY_MISMATCH', `table ${existing.name} is keyed by ${existing.primaryKey === undefined ? 'no single column' : `'${existing.primaryKey}'`}, not '${target.primaryKey}'`, {
        hint: existing.primaryKey === undefined
          ? 'write to another table (`with: { table: ... }`): upserts need a single-column primary key'
          : `set \`with: { primaryKey: ${existing.primaryKey} }\`, or write to another table`,
        details: { table: existing.name, primaryKey: target.primaryKey, systemic: true },
      });
    }
    return existing;
  }
  const keyValue = record[target.primaryKey];
  if (!isKeyValue(keyValue)) {
    throw new FerryError('SQLITE_MISSING_KEY', `the record has no value for '${target.primaryKey}', the key of table ${target.table}`, {
      hint: `map the source's id into '${target.primaryKey}', or set \`with: { primaryKey: ... }\` to a field every record has`,
      details: { table: target.table, primaryKey: target.primaryKey },
    });
  }
  const key: TableColumn = { name: target.primaryKey, type: keyColumnType(target.primaryKey, keyValue, sourceSchema) };
  const isKey = (field: string): boolean => field.toLowerCase() === target.primaryKey.toLowerCase();
  const fields = Object.keys(record).filter((field) => record[field] !== undefined && !isKey(field));
  const sourceFields = new Set(schemaFields(sourceSchema));
  const recordsAreSource = sourceFields.size > 0 && fields.every((field) => sourceFields.has(field));
  const names = recordsAreSource ? [...sourceFields].filter((field) => !isKey(field) && isPlainIdentifier(field)) : fields;
  // Record fields must be usable names; schema fields that are not are simply left out until a record carries them.
  for (const field of fields) {
    assertIdentifier(field, 'column', `rename the field in the pipeline's map (e.g. ${field.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1')}: '${field}')`);
  }
  const columns = names.map((name) => ({ name, type: columnTypeFor(name, record[name], sourceSchema) }));
  return warehouse.createTable(target.table, key, columns);
}
