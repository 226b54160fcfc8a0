import type { RunStatus, RunSummary } from '../contract/store.js';

const SEVERITY: readonly RunStatus[] = ['succeeded', 'partial', 'stopped', 'running', 'failed'];

/** The status of several runs taken together (a pipeline's partitions): the worst of them. */
export function worstRunStatus(statuses: Iterable<RunStatus>): RunStatus {
  let worst: RunStatus = 'succeeded';
  for (const status of statuses) if (SEVERITY.indexOf(status) > SEVERITY.indexOf(worst)) worst = status;
  return worst;
}

/**
 * The summary of runs that ran side by side (a pipeline's partitions): counts add up; utilization is the
 * busiest run's and the duration the longest one's, since they overlapped.
 */
export function combineRunSummaries(summaries: Iterable<RunSummary>): RunSummary {
  let total: RunSummary = {
    read: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    skipped: 0,
    deadLettered: 0,
    apiCalls: 0,
    rateLimited: 0,
    retries: 0,
    utilization: 0,
    durationMs: 0,
  };
  for (const s of summaries) {
    total = {
      read: total.read + s.read,
      created: total.created + s.created,
      updated: total.updated + s.updated,
      unchanged: total.unchanged + s.unchanged,
      deleted: total.deleted + s.deleted,
      skipped: total.skipped + s.skipped,
      deadLettered: total.deadLettered + s.deadLettered,
      apiCalls: total.apiCalls + s.apiCalls,
      rateLimited: total.rateLimited + s.rateLimited,
      retries: total.retries + s.retries,
      utilization: Math.max(total.utilization, s.utilization),
      durationMs: Math.max(total.durationMs, s.durationMs),
    };
  }
  return total;
}
