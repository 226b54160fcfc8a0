import { defineAction, FerryError, type ActionBatchItem, type ActionRequest, type ActionResult, type ConnectorContext } from '@ferry/core';
import { tableOptionsSchema } from '../sqlite/sqlite-settings.js';
import { toPgParam } from './pg-column-type.js';
import { isKeyValue, pgWriteTarget } from './pg-write-target.js';
import { planDelete, planUpsert, type PlannedStatement, type Planner, type WritePlan } from './pg-write-plan.js';
import { postgresWarehouseFor, type PostgresWarehouse } from './postgres-warehouse.js';
import { writeInOneTransaction } from './write-in-one-transaction.js';

/** One request: one statement in its own transaction, so its row is committed when the promise resolves. */
async function runOne(plan: Planner, ctx: ConnectorContext, request: ActionRequest): Promise<ActionResult> {
  const planned = await plan(ctx, request);
  if ('result' in planned) return planned.result;
  const { statement } = planned;
  return statement.outcome(await planned.warehouse.run(statement.text, statement.values));
}

/** A failure of the warehouse itself (unreachable, login refused), not of one record: every other request would meet it too. */
function isWarehouseFailure(error: unknown): error is FerryError {
  return error instanceof FerryError && error.details['systemic'] === true && typeof error.details['where'] === 'string';
}

/**
 * Many requests, each answered as `runOne` would answer it, in one transaction per warehouse: one commit per batch,
 * and no row reported before it is committed.
 */
async function runMany(plan: Planner, ctx: ConnectorContext, requests: readonly ActionRequest[]): Promise<ActionBatchItem[]> {
  const answers: (ActionBatchItem | undefined)[] = [];
  const writes = new Map<PostgresWarehouse, { indexes: number[]; statements: PlannedStatement[] }>();
  let unreachable: FerryError | undefined;
  // Planned one after the other: a record's schema change is in place before the next record is planned.
  for (const [index, request] of requests.entries()) {
    if (unreachable !== undefined) {
      answers[index] = { error: unreachable };
      continue;
    }
    let planned: WritePlan;
    try {
      planned = await plan(ctx, request);
    } catch (error) {
      answers[index] = { error };
      if (isWarehouseFailure(error)) unreachable = error;
      continue;
    }
    if ('result' in planned) {
      answers[index] = { result: planned.result };
      continue;
    }
    const group = writes.get(planned.warehouse) ?? { indexes: [], statements: [] };
    writes.set(planned.warehouse, group);
    group.indexes.push(index);
    group.statements.push(planned.statement);
  }
  const written = [...writes].map(([warehouse, group]) => writeInOneTransaction(warehouse, group.statements).then((results) => ({ group, results })));
  for (const { group, results } of await Promise.all(written)) {
    for (const [at, index] of group.indexes.entries()) answers[index] = results[at];
  }
  return answers.map((answer) => answer ?? { error: new Error('the warehouse gave no answer for this request') });
}

export const postgresUpsertAction = defineAction({
  name: 'upsert',
  description:
    "Inserts the record, or updates the row with the same key (INSERT … ON CONFLICT DO UPDATE). The table (default: the source stream's name) is created on first use from the source stream's JSON Schema (string → text, integer → bigint, number → double precision, boolean → boolean, object/array → jsonb); new fields become new columns (ADD COLUMN IF NOT EXISTS). Names are kept as written, quoted. Writing identical values reports `unchanged`.",
  input: { type: 'object', description: 'The row: field names become column names, exactly as written.' },
  options: tableOptionsSchema,
  idempotence: 'idempotent',
  run: (ctx, request) => runOne(planUpsert, ctx, request),
  runBatch: (ctx, requests) => runMany(planUpsert, ctx, requests),
  async find(ctx, request) {
    const target = pgWriteTarget(request);
    const key = request.input[target.primaryKey] ?? request.linkedId;
    if (!isKeyValue(key)) return undefined;
    const warehouse = postgresWarehouseFor(ctx);
    const table = await warehouse.table(target.table);
    const column = table?.column(target.primaryKey);
    if (table === undefined || column === undefined) return undefined;
    try {
      const { rows } = await warehouse.run(table.findSql(target.primaryKey), [toPgParam(key, column)]);
      const [row] = rows;
      return row === undefined ? undefined : { ...row };
    } catch (error) {
      // A key the key column cannot hold ('abc' for a bigint key) names no row.
      if (error instanceof FerryError && error.code === 'POSTGRES_BAD_VALUE') return undefined;
      throw error;
    }
  },
});

export const postgresDeleteAction = defineAction({
  name: 'delete',
  description: "Deletes the row whose key is the record's key (or the id the record was last written to). Deleting a missing row reports `unchanged`.",
  input: { type: 'object', description: 'A record carrying the key field.' },
  options: tableOptionsSchema,
  idempotence: 'idempotent',
  run: (ctx, request) => runOne(planDelete, ctx, request),
  runBatch: (ctx, requests) => runMany(planDelete, ctx, requests),
});
