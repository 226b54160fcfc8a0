import { defineAction, FerryError, type ActionResult, type ConnectorContext } from '@ferry/core';
import { resolveFile } from '../shared/resolve-file.js';
import { readSqliteSettings, tableOptionsSchema } from './sqlite-settings.js';
import { tableForWrite, writeTarget } from './target-table.js';
import { warehouseFor, type Warehouse } from './warehouse.js';
import { isKeyValue } from './warehouse-table.js';

function openForWrite(ctx: ConnectorContext): Warehouse {
  const file = resolveFile(ctx, readSqliteSettings(ctx.config).path);
  const warehouse = warehouseFor(ctx, file, { create: true });
  if (warehouse === undefined) throw new FerryError('SQLITE_CANT_OPEN', `cannot open ${file}`, { hint: "check the connection's `path`" });
  return warehouse;
}

export const sqliteUpsertAction = defineAction({
  name: 'upsert',
  description:
    "Inserts the record, or updates the row with the same key (INSERT … ON CONFLICT DO UPDATE). The table (default: the source stream's name) is created on first use from the source stream's JSON Schema (string → TEXT, integer → INTEGER, number → REAL, boolean → INTEGER, object/array → JSON TEXT); new fields become new columns. Writing identical values reports `unchanged`.",
  input: { type: 'object', description: 'The row: field names become column names (letters, digits and _).' },
  options: tableOptionsSchema,
  idempotence: 'idempotent',
  async run(ctx, request): Promise<ActionResult> {
    const target = writeTarget(request);
    const warehouse = openForWrite(ctx);
    return warehouse.write(() => {
      const table = tableForWrite(warehouse, target, request.input, request.source.schema);
      return table.upsert(request.input, target.primaryKey, request.source.schema);
    });
  },
  async find(ctx, request) {
    const file = resolveFile(ctx, readSqliteSettings(ctx.config).path);
    const warehouse = warehouseFor(ctx, file, { create: false });
    if (warehouse === undefined) return undefined;
    const target = writeTarget(request);
    const key = request.input[target.primaryKey] ?? request.linkedId;
    return warehouse.guard(() => warehouse.table(target.table)?.find(target.primaryKey, key));
  },
});

export const sqliteDeleteAction = defineAction({
  name: 'delete',
  description: "Deletes the row whose key is the record's key (or the id the record was last written to). Deleting a missing row reports `unchanged`.",
  input: { type: 'object', description: 'A record carrying the key field.' },
  options: tableOptionsSchema,
  idempotence: 'idempotent',
  async run(ctx, request): Promise<ActionResult> {
    const target = writeTarget(request);
    const key = request.input[target.primaryKey] ?? request.linkedId;
    if (!isKeyValue(key)) {
      throw new FerryError('SQLITE_MISSING_KEY', `the record has no value for '${target.primaryKey}' to delete by`, {
        hint: `map the key into '${target.primaryKey}', or set \`with: { primaryKey: ... }\``,
        details: { table: target.table, primaryKey: target.primaryKey },
      });
    }
    // Nothing to delete from a warehouse that does not exist yet, and no reason to create it.
    const warehouse = warehouseFor(ctx, resolveFile(ctx, readSqliteSettings(ctx.config).path), { create: false });
    if (warehouse === undefined) return { outcome: 'unchanged', id: String(key) };
    warehouse.prepareForWrites();
    return warehouse.write((): ActionResult => {
      const deleted = warehouse.table(target.table)?.delete(target.primaryKey, key) ?? false;
      return { outcome: deleted ? 'deleted' : 'unchanged', id: String(key) };
    });
  },
});
