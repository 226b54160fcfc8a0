import { defineStream, didYouMeanSuffix, FerryError, type ConnectorContext, type Page, type ReadRequest } from '@ferry/core';
import type { PgTable } from './pg-table.js';
import { readPostgresKey, readPostgresSettings } from './postgres-settings.js';
import { postgresWarehouseFor, type PostgresWarehouse } from './postgres-warehouse.js';

function afterFromState(state: ReadRequest['state']): string | number | undefined {
  if (state === undefined) return undefined;
  const { after } = state;
  if (typeof after === 'string' || (typeof after === 'number' && Number.isFinite(after))) return after;
  throw new FerryError('STATE_INVALID', 'postgres: the stored checkpoint has no key to continue after', {
    hint: 'run the pipeline with --full to read the table from the start (that replaces the checkpoint)',
  });
}

/** The table named in the config: exactly that name, else the one table equal to it ignoring case. */
async function tableToRead(warehouse: PostgresWarehouse, name: string): Promise<PgTable> {
  const exact = await warehouse.table(name);
  if (exact !== undefined) return exact;
  const tables = await warehouse.tableNames();
  const sameIgnoringCase = tables.filter((table) => table.toLowerCase() === name.toLowerCase());
  const [only] = sameIgnoringCase;
  const found = sameIgnoringCase.length === 1 && only !== undefined ? await warehouse.table(only) : undefined;
  if (found !== undefined) return found;
  throw new FerryError('POSTGRES_NO_SUCH_TABLE', `schema ${warehouse.schema} at ${warehouse.where} has no table '${name}'${didYouMeanSuffix(name, tables)}`, {
    hint: tables.length === 0 ? 'run a pipeline that writes to it first' : `set \`table:\` to one of: ${tables.join(', ')}`,
    details: { where: warehouse.where, schema: warehouse.schema, table: name, tables },
  });
}

function keyColumnOf(table: PgTable, name: string): string {
  const key = table.columnNamed(name);
  if (key === undefined) {
    const columns = table.columnList().map((column) => column.name);
    throw new FerryError('POSTGRES_NO_SUCH_COLUMN', `table ${table.name} has no column '${name}'${didYouMeanSuffix(name, columns)}`, {
      hint: `set \`primaryKey:\` in the connection's config to the table's key column${table.primaryKey === undefined ? '' : ` ('${table.primaryKey}')`}`,
      details: { table: table.name, primaryKey: name },
    });
  }
  if (!table.isUniqueColumn(key)) {
    throw new FerryError('POSTGRES_KEY_NOT_UNIQUE', `column '${key}' of table ${table.name} is neither its primary key nor uniquely indexed`, {
      hint: `rows are read in key order and resumed after the last key, which needs unique keys: set \`primaryKey:\` to ${table.primaryKey === undefined ? 'a unique column' : `'${table.primaryKey}'`} or add a unique index`,
      details: { table: table.name, primaryKey: key },
    });
  }
  return key;
}

async function* readRows(ctx: ConnectorContext, request: ReadRequest): AsyncGenerator<Page> {
  const settings = readPostgresSettings(ctx.config);
  if (settings.table === undefined) {
    throw new FerryError('POSTGRES_NO_TABLE', `connection '${ctx.connection}' names no table for the rows stream`, {
      hint: "set `table:` in the connection's config in ferry.yaml to the table to read",
    });
  }
  let after = afterFromState(request.state);
  const warehouse = postgresWarehouseFor(ctx);
  const table = await tableToRead(warehouse, settings.table);
  const key = keyColumnOf(table, settings.primaryKey);
  const counted = await warehouse.run(table.countSql(key, after !== undefined), after === undefined ? [] : [after]);
  const total = Number(counted.rows[0]?.['n'] ?? 0);
  for (;;) {
    const { rows } = after === undefined ? await warehouse.run(table.pageSql(key, false), [settings.pageSize]) : await warehouse.run(table.pageSql(key, true), [after, settings.pageSize]);
    const last: unknown = rows.at(-1)?.[key];
    if (typeof last !== 'string' && typeof last !== 'number') return;
    after = last;
    yield { records: rows.map((row) => ({ ...row })), state: { after }, total };
    if (rows.length < settings.pageSize) return;
  }
}

/** A warehouse table read back in key order (keyset paging), so the warehouse can feed other pipelines. */
export const postgresRowsStream = defineStream({
  name: 'rows',
  description: "The rows of the connection's `table`, in key order; incremental runs read rows with keys after the last one read.",
  schema: { type: 'object', description: 'One row: jsonb columns come back as objects and arrays, bigint as numbers, timestamps as ISO text.' },
  primaryKey: 'id',
  cursorField: 'id',
  syncModes: ['full', 'incremental'],
  shapeFor(config) {
    const primaryKey = readPostgresKey(config);
    return { primaryKey, cursorField: primaryKey };
  },
  read: readRows,
});
