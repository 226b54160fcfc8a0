import { logEntries } from './queue-harness.js';

/** The runs a worker's JSON log says it started, and those it saw to their end. */
export interface LoggedRuns {
  /** Run id → the partition it covers. */
  readonly started: ReadonlyMap<number, string>;
  readonly finished: ReadonlySet<number>;
}

/** Reads a worker's log (written synchronously, so a SIGKILL loses no line that was logged). */
export function runsInLog(file: string): LoggedRuns {
  const started = new Map<number, string>();
  const finished = new Set<number>();
  for (const entry of logEntries(file)) {
    const runId = entry['runId'];
    if (typeof runId !== 'number') continue;
    if (entry['msg'] === 'run started') started.set(runId, typeof entry['partition'] === 'string' ? entry['partition'] : '');
    if (entry['msg'] === 'run finished') finished.add(runId);
  }
  return { started, finished };
}

/** Runs a worker started and has not finished (by its log). */
export function unfinishedRuns(runs: LoggedRuns): number[] {
  return [...runs.started.keys()].filter((id) => !runs.finished.has(id));
}
