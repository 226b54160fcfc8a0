import { defineAction, FerryError, type ActionBatchItem, type ActionRequest, type ActionResult, type ConnectorContext } from '@ferry/core';
import { resolveFile } from '../shared/resolve-file.js';
import { readSqliteSettings, tableOptionsSchema } from './sqlite-settings.js';
import { tableForWrite, writeTarget } from './target-table.js';
import { warehouseFor, type Warehouse } from './warehouse.js';
import { isKeyValue } from './warehouse-table.js';

/** A context's settings never change, so its warehouse file is worked out once (a run writes it per record). */
const warehouseFiles = new WeakMap<ConnectorContext, string>();

function warehouseFileOf(ctx: ConnectorContext): string {
  let file = warehouseFiles.get(ctx);
  if (file === undefined) {
    file = resolveFile(ctx, readSqliteSettings(ctx.config).path);
    warehouseFiles.set(ctx, file);
  }
  return file;
}

function openForWrite(ctx: ConnectorContext): Warehouse {
  const file = warehouseFileOf(ctx);
  const warehouse = warehouseFor(ctx, file, { create: true });
  if (warehouse === undefined) throw new FerryError('SQLITE_CANT_OPEN', `cannot open ${file}`, { hint: "check the connection's `path`" });
  return warehouse;
}

/** A request ready to write: the warehouse and the work to run in its transaction, or its result with no write. */
type WritePlan = { readonly warehouse: Warehouse; readonly work: () => ActionResult } | { readonly result: ActionResult };

function planUpsert(ctx: ConnectorContext, request: ActionRequest): WritePlan {
  const target = writeTarget(request);
  const warehouse = openForWrite(ctx);
  return {
    warehouse,
    work: () => {
      const table = tableForWrite(warehouse, target, request.input, request.source.schema);
      return table.upsert(request.input, target.primaryKey, request.source.schema);
    },
  };
}

function planDelete(ctx: ConnectorContext, request: ActionRequest): WritePlan {
  const target = writeTarget(request);
  const key = request.input[target.primaryKey] ?? request.linkedId;
  if (!isKeyValue(key)) {
    throw new FerryError('SQLITE_MISSING_KEY', `the record has no value for '${target.primaryKey}' to delete by`, {
      hint: `map the key into '${target.primaryKey}', or set \`with: { primaryKey: ... }\``,
      details: { table: target.table, primaryKey: target.primaryKey },
    });
  }
  // Nothing to delete from a warehouse that does not exist yet, and no reason to create it.
  const warehouse = warehouseFor(ctx, warehouseFileOf(ctx), { create: false });
  if (warehouse === undefined) return { result: { outcome: 'unchanged', id: String(key) } };
  warehouse.prepareForWrites();
  return {
    warehouse,
    work: (): ActionResult => {
      const deleted = warehouse.table(target.table)?.delete(target.primaryKey, key) ?? false;
      return { outcome: deleted ? 'deleted' : 'unchanged', id: String(key) };
    },
  };
}

type Planner = (ctx: ConnectorContext, request: ActionRequest) => WritePlan;

/** One request: resolves once its row is committed (group commit joins it with the writes in flight). */
async function runOne(plan: Planner, ctx: ConnectorContext, request: ActionRequest): Promise<ActionResult> {
  const planned = plan(ctx, request);
  return 'result' in planned ? planned.result : planned.warehouse.write(planned.work);
}

/**
 * Many requests, each answered as `runOne` would answer it, in one group transaction and with one promise: one
 * commit per batch instead of one per few records, and still no row reported before it is committed.
 */
async function runMany(plan: Planner, ctx: ConnectorContext, requests: readonly ActionRequest[]): Promise<ActionBatchItem[]> {
  const answers: (ActionBatchItem | undefined)[] = [];
  const writes = new Map<Warehouse, { indexes: number[]; works: (() => ActionResult)[] }>();
  for (const [index, request] of requests.entries()) {
    let planned: WritePlan;
    try {
      planned = plan(ctx, request);
    } catch (error) {
      answers[index] = { error };
      continue;
    }
    if ('result' in planned) {
      answers[index] = { result: planned.result };
      continue;
    }
    const group = writes.get(planned.warehouse) ?? { indexes: [], works: [] };
    writes.set(planned.warehouse, group);
    group.indexes.push(index);
    group.works.push(planned.work);
  }
  const written = [...writes].map(([warehouse, group]) => warehouse.writeEach(group.works).then((results) => ({ group, results })));
  for (const { group, results } of await Promise.all(written)) {
    for (const [at, index] of group.indexes.entries()) {
      const result = results[at];
      answers[index] = result;
    }
  }
  return answers.map((answer) => answer ?? { error: new Error('the warehouse gave no answer for this request') });
}

export const sqliteUpsertAction = defineAction({
  name: 'upsert',
  description:
    "Inserts the record, or updates the row with the same key (INSERT … ON CONFLICT DO UPDATE). The table (default: the source stream's name) is created on first use from the source stream's JSON Schema (string → TEXT, integer → INTEGER, number → REAL, boolean → INTEGER, object/array → JSON TEXT); new fields become new columns. Writing identical values reports `unchanged`.",
  input: { type: 'object', description: 'The row: field names become column names (letters, digits and _).' },
  options: tableOptionsSchema,
  idempotence: 'idempotent',
  run: (ctx, request) => runOne(planUpsert, ctx, request),
  runBatch: (ctx, requests) => runMany(planUpsert, ctx, requests),
  async find(ctx, request) {
    const warehouse = warehouseFor(ctx, warehouseFileOf(ctx), { create: false });
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
  run: (ctx, request) => runOne(planDelete, ctx, request),
  runBatch: (ctx, requests) => runMany(planDelete, ctx, requests),
});
