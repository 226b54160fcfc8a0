import type { Logger } from '../contract/logger.js';
import type { Store } from '../contract/store.js';
import { combineRunSummaries } from '../runtime/combine-run-results.js';
import type { RunUnit } from './queue-names.js';

/** A unit's runs looked at: a lost run is closed the next time its unit runs, so it is among the last few. */
const LOOKBACK_RUNS = 50;

export const WORKER_LOST_ERROR =
  'WORKER_LOST: the worker running it stopped before the run ended (killed, or its machine went away); the next run of the unit resumed from the last checkpoint';

/**
 * Closes the runs of `unit` that a dead worker left `running`, as `failed` with WORKER_LOST. Call it holding the
 * unit's lock: then no live worker runs the unit, and a `running` row can only be a lost one. (A `ferry run` of
 * the same unit outside the queue takes no lock and would be closed too: run queued pipelines on the queue only.)
 */
export function closeLostRuns(store: Store, unit: RunUnit, log: Logger): number[] {
  const lost = store.listRuns({ pipeline: unit.pipeline, partition: unit.partition, limit: LOOKBACK_RUNS }).filter((run) => run.status === 'running');
  for (const run of lost) {
    store.finishRun(run.id, { status: 'failed', summary: run.summary ?? combineRunSummaries([]), error: WORKER_LOST_ERROR });
    log.warn({ runId: run.id, startedAt: run.startedAt }, 'a run left running by a lost worker is closed as failed');
  }
  return lost.map((run) => run.id);
}
