import type { ActionRequest, ActionResult, ConnectorContext } from '@ferry/core';
import { toPgParam } from './pg-column-type.js';
import type { StatementResult } from './pg-session.js';
import { definedFields, isKeyValue, keyMismatch, missingKey, pgWriteTarget, tableForUpsert } from './pg-write-target.js';
import { postgresWarehouseFor, type PostgresWarehouse } from './postgres-warehouse.js';

/** One write ready to send: its statement, and how to read what the statement reports. */
export interface PlannedStatement {
  readonly text: string;
  readonly values: readonly unknown[];
  readonly outcome: (result: StatementResult) => ActionResult;
}

/** A request ready to write (its warehouse and statement), or its result when there is nothing to write. */
export type WritePlan = { readonly warehouse: PostgresWarehouse; readonly statement: PlannedStatement } | { readonly result: ActionResult };

export type Planner = (ctx: ConnectorContext, request: ActionRequest) => Promise<WritePlan>;

/** Plans an upsert; creates the table, or adds the columns its record needs, first (schema changes commit at once). */
export const planUpsert: Planner = async (ctx, request) => {
  const target = pgWriteTarget(request);
  const keyValue = request.input[target.primaryKey];
  if (!isKeyValue(keyValue)) throw missingKey(target, 'write');
  const warehouse = postgresWarehouseFor(ctx);
  const table = await tableForUpsert(warehouse, target, request.input, request.source.schema);
  const fields = definedFields(request.input);
  const id = String(keyValue);
  return {
    warehouse,
    statement: {
      text: table.upsertSql(fields, target.primaryKey),
      values: table.params(request.input, fields),
      outcome: ({ rows }) => {
        const [row] = rows;
        if (row === undefined) return { outcome: 'unchanged', id };
        return { outcome: row['inserted'] === true ? 'created' : 'updated', id };
      },
    },
  };
};

/** Plans a delete by the record's key (or its linked id); a table that does not exist has nothing to delete. */
export const planDelete: Planner = async (ctx, request) => {
  const target = pgWriteTarget(request);
  const key = request.input[target.primaryKey] ?? request.linkedId;
  if (!isKeyValue(key)) throw missingKey(target, 'delete');
  const id = String(key);
  const warehouse = postgresWarehouseFor(ctx);
  const table = await warehouse.table(target.table);
  if (table === undefined) return { result: { outcome: 'unchanged', id } };
  const column = table.column(target.primaryKey);
  if (column === undefined) throw keyMismatch(table, target.primaryKey);
  return {
    warehouse,
    statement: {
      text: table.deleteSql(target.primaryKey),
      values: [toPgParam(key, column)],
      outcome: ({ rowCount }) => ({ outcome: rowCount > 0 ? 'deleted' : 'unchanged', id }),
    },
  };
};
