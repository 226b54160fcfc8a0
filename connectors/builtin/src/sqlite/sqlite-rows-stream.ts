import { defineStream, didYouMeanSuffix, FerryError, type ConnectorContext, type Page, type ReadRequest } from '@ferry/core';
import { fileNotFound } from '../shared/file-errors.js';
import { existingFileSize, resolveFile } from '../shared/resolve-file.js';
import type { SqlValue } from './column-type.js';
import { readSqliteKey, readSqliteSettings } from './sqlite-settings.js';
import { warehouseFor } from './warehouse.js';

function afterFromState(state: ReadRequest['state']): SqlValue | undefined {
  if (state === undefined) return undefined;
  const { after } = state;
  if (typeof after === 'string' || (typeof after === 'number' && Number.isFinite(after))) return after;
  throw new FerryError('STATE_INVALID', 'sqlite: the stored checkpoint has no key to continue after', {
    hint: 'run the pipeline with --full to read the table from the start (that replaces the checkpoint)',
  });
}

async function* readRows(ctx: ConnectorContext, request: ReadRequest): AsyncGenerator<Page> {
  const settings = readSqliteSettings(ctx.config);
  if (settings.table === undefined) {
    throw new FerryError('SQLITE_NO_TABLE', `connection '${ctx.connection}' names no table for the rows stream`, {
      hint: "set `table:` in the connection's config in ferry.yaml to the table to read",
    });
  }
  const file = resolveFile(ctx, settings.path);
  await existingFileSize(file);
  const warehouse = warehouseFor(ctx, file, { create: false });
  if (warehouse === undefined) throw fileNotFound(file);
  const table = warehouse.table(settings.table);
  if (table === undefined) {
    const tables = warehouse.tableNames();
    throw new FerryError('SQLITE_NO_SUCH_TABLE', `${file} has no table '${settings.table}'${didYouMeanSuffix(settings.table, tables)}`, {
      hint: tables.length === 0 ? 'run a pipeline that writes to it first' : `set \`table:\` to one of: ${tables.join(', ')}`,
      details: { file, table: settings.table, tables },
    });
  }
  const key = table.columnName(settings.primaryKey);
  if (key === undefined) {
    const columns = table.columnList().map((column) => column.name);
    throw new FerryError('SQLITE_NO_SUCH_COLUMN', `table ${table.name} has no column '${settings.primaryKey}'${didYouMeanSuffix(settings.primaryKey, columns)}`, {
      hint: `set \`primaryKey:\` in the connection's config to the table's key column${table.primaryKey === undefined ? '' : ` ('${table.primaryKey}')`}`,
      details: { table: table.name, primaryKey: settings.primaryKey },
    });
  }
  if (!warehouse.guard(() => table.isUniqueColumn(key))) {
    throw new FerryError('SQLITE_KEY_NOT_UNIQUE', `column '${key}' of table ${table.name} is neither its primary key nor uniquely indexed`, {
      hint: `rows are read in key order and resumed after the last key, which needs unique keys: set \`primaryKey:\` to ${table.primaryKey === undefined ? 'a unique column' : `'${table.primaryKey}'`} or add a unique index`,
      details: { table: table.name, primaryKey: key },
    });
  }
  let after = afterFromState(request.state);
  const total = warehouse.guard(() => table.count(key, after));
  for (;;) {
    const start = after;
    const records = warehouse.guard(() => table.page(key, start, settings.pageSize));
    const last = records.at(-1)?.[key];
    if (typeof last !== 'string' && typeof last !== 'number') return;
    after = last;
    yield { records, state: { after }, total };
    if (records.length < settings.pageSize) return;
  }
}

/** A warehouse table read back in key order (keyset paging), so the warehouse can feed other pipelines. */
export const sqliteRowsStream = defineStream({
  name: 'rows',
  description: "The rows of the connection's `table`, in key order; incremental runs read rows with keys after the last one read.",
  schema: { type: 'object', description: 'One row; JSON columns written by ferry come back as objects and booleans as booleans.' },
  primaryKey: 'id',
  cursorField: 'id',
  syncModes: ['full', 'incremental'],
  shapeFor(config) {
    const primaryKey = readSqliteKey(config);
    return { primaryKey, cursorField: primaryKey };
  },
  read: readRows,
});
