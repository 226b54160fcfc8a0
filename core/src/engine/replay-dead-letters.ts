import type { JsonRecord } from '../contract/json-schema.js';
import type { DeadLetterRow } from '../contract/store.js';
import { FerryError } from '../errors/ferry-error.js';
import { compilePipeline } from './compile-pipeline.js';
import { PipelineRun } from './pipeline-run.js';
import { recordPages } from './record-pages.js';
import type { ReplayDeadLettersOptions, RunResult } from './run-types.js';

/**
 * Re-runs the stored source records of open dead letters through map → action → then. Landed records are marked
 * `replayed` in the same commit as their links; records that fail again stay open on the same row with the new
 * error and one more attempt. The stream's checkpoint never moves.
 */
export async function replayDeadLetters(options: ReplayDeadLettersOptions): Promise<RunResult> {
  const { pipeline, store } = options;
  const compiled = compilePipeline(options);
  const open = store.listDeadLetters({ pipeline: pipeline.name, status: 'open' });
  let rows: readonly DeadLetterRow[] = open;
  if (options.ids !== undefined) {
    const wanted = new Set(options.ids);
    rows = open.filter((row) => wanted.has(row.id));
    const found = new Set(rows.map((row) => row.id));
    const missing = options.ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw new FerryError('DEAD_LETTER_NOT_FOUND', `no open dead letter ${missing.join(', ')} for pipeline '${pipeline.name}'`, {
        hint: `list them with \`ferry dlq list ${pipeline.name}\`; replayed or discarded ones cannot be replayed again`,
        details: { missing },
      });
    }
  }
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
