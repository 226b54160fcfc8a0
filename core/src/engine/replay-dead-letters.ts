import type { JsonRecord } from '../contract/json-schema.js';
import type { DeadLetterRow, Store } from '../contract/store.js';
import { FerryError } from '../errors/ferry-error.js';
import { compilePipeline } from './compile-pipeline.js';
import { PipelineRun } from './pipeline-run.js';
import { recordPages } from './record-pages.js';
import type { ReplayDeadLettersOptions, RunResult } from './run-types.js';

/**
 * Re-runs the stored source records of open dead letters through map → action → then. Landed records are marked
 * `replayed` in the same commit as their links; records that fail again stay open on the same row with the new
 * error and one more attempt. The stream's checkpoint never moves. Only the letters of the run's partition are
 * replayed: another partition's records belong to another location, token and rate-limit budget.
 */
export async function replayDeadLetters(options: ReplayDeadLettersOptions): Promise<RunResult> {
  const { pipeline, store } = options;
  const compiled = compilePipeline(options);
  const partition = options.partition ?? '';
  const open = store.listDeadLetters({ pipeline: pipeline.name, partition, status: 'open' });
  const rows = options.ids === undefined ? open : chosen(store, pipeline.name, partition, open, options.ids);
  const replayOf = new Map<JsonRecord, DeadLetterRow>();
  for (const row of rows) replayOf.set(row.record, row);
  return PipelineRun.execute({
    compiled,
    options,
    runMode: 'replay',
    pages: () => recordPages(replayOf.keys()),
    checkpointKey: undefined,
    params: { ...pipeline.from.params, ...options.params },
    applyWhere: false,
    replayOf,
  });
}

/** The open letters `ids` names; an id that is not one of them is an error that says where it is instead. */
function chosen(store: Store, pipeline: string, partition: string, open: readonly DeadLetterRow[], ids: readonly number[]): DeadLetterRow[] {
  const wanted = new Set(ids);
  const rows = open.filter((row) => wanted.has(row.id));
  const found = new Set(rows.map((row) => row.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length === 0) return rows;
  const elsewhere = store
    .listDeadLetters({ pipeline, status: 'open' })
    .filter((row) => row.partition !== partition && missing.includes(row.id))
    .map((row) => `${row.id} is in ${describePartition(row.partition)}`);
  const where = partition === '' ? '' : ` in partition '${partition}'`;
  throw new FerryError('DEAD_LETTER_NOT_FOUND', `no open dead letter ${missing.join(', ')} for pipeline '${pipeline}'${where}${elsewhere.length === 0 ? '' : ` (${elsewhere.join('; ')})`}`, {
    hint:
      elsewhere.length === 0
        ? `list them with \`ferry dlq list ${pipeline}\`; replayed or discarded ones cannot be replayed again`
        : 'replay each dead letter in the partition it was dead-lettered in (`ferry dlq replay` does)',
    details: { missing, partition },
  });
}

function describePartition(partition: string): string {
  return partition === '' ? 'no partition' : `partition '${partition}'`;
}
