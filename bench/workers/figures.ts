import { median } from '../http/median.js';

/** What one trial (one worker count, one sync of every location) measured. */
export interface TrialOutcome {
  readonly workers: number;
  readonly locations: number;
  /** Records the runs read (the sum of their `read`). */
  readonly contacts: number;
  /** Rows in the warehouse table at the end. */
  readonly warehouseRows: number;
  /** Calls the sandbox admitted. */
  readonly calls: number;
  /** From the first run's start to the last run's end (the store's timestamps). */
  readonly elapsedMs: number;
  /** Mean of the runs' own durations: how long one location took, whatever ran beside it. */
  readonly meanRunMs: number;
  /** Each worker's peak resident memory (NaN where it could not be read). */
  readonly peakRssMb: readonly number[];
  /** The most calls the sandbox admitted for one location in any rolling window. */
  readonly busiestWindow: number;
  readonly windowMax: number;
  /** The window's length after time scaling. */
  readonly windowMs: number;
  readonly rateLimited: number;
  /** One-minute load average at the end of the trial. */
  readonly loadAverage: number;
}

export function contactsPerSecond(trial: TrialOutcome): number {
  return trial.contacts / (trial.elapsedMs / 1000);
}

export function callsPerSecond(trial: TrialOutcome): number {
  return trial.calls / (trial.elapsedMs / 1000);
}

/**
 * The most calls per second the windows allow with `workers` units at once (one per worker): each location's
 * window lets `windowMax` calls through per `windowMs`.
 */
export function windowCeiling(trial: TrialOutcome): number {
  return (Math.min(trial.workers, trial.locations) * trial.windowMax) / (trial.windowMs / 1000);
}

/** One worker count's figures over the rounds. */
export interface WorkerCountFigures {
  readonly workers: number;
  /** Medians over the rounds. */
  readonly contactsPerSecond: number;
  readonly callsPerSecond: number;
  readonly elapsedSeconds: number;
  readonly meanRunSeconds: number;
  /** Median over the rounds of this count's throughput over the same round's 1-worker throughput. */
  readonly ratio: number | undefined;
  /** Median over the rounds of the calls/s as a share of the windows' ceiling. */
  readonly shareOfCeiling: number;
  readonly ceilingCallsPerSecond: number;
  /** The largest worker's peak RSS, median over the rounds. */
  readonly peakRssMb: number;
  /** The busiest window of any location in any round. */
  readonly busiestWindow: number;
  readonly windowMax: number;
  readonly rateLimited: number;
  /** Every trial read every contact once and left one warehouse row per contact. */
  readonly everyContactOnce: boolean;
}

/** `rounds[r]` holds round r's trials, one per worker count. */
export function figuresByWorkers(rounds: readonly (readonly TrialOutcome[])[], expectedContacts: number): WorkerCountFigures[] {
  const counts = [...new Set(rounds.flat().map((trial) => trial.workers))].sort((a, b) => a - b);
  return counts.map((workers) => {
    const trials = rounds.flatMap((round) => round.filter((trial) => trial.workers === workers));
    const ratios = rounds.flatMap((round) => {
      const mine = round.find((trial) => trial.workers === workers);
      const one = round.find((trial) => trial.workers === 1);
      return mine === undefined || one === undefined ? [] : [contactsPerSecond(mine) / contactsPerSecond(one)];
    });
    return {
      workers,
      contactsPerSecond: median(trials.map(contactsPerSecond)),
      callsPerSecond: median(trials.map(callsPerSecond)),
      elapsedSeconds: median(trials.map((trial) => trial.elapsedMs / 1000)),
      meanRunSeconds: median(trials.map((trial) => trial.meanRunMs / 1000)),
      ratio: ratios.length === 0 ? undefined : median(ratios),
      shareOfCeiling: median(trials.map((trial) => callsPerSecond(trial) / windowCeiling(trial))),
      ceilingCallsPerSecond: trials[0] === undefined ? Number.NaN : windowCeiling(trials[0]),
      peakRssMb: median(trials.map((trial) => Math.max(...trial.peakRssMb))),
      busiestWindow: Math.max(...trials.map((trial) => trial.busiestWindow)),
      windowMax: Math.max(...trials.map((trial) => trial.windowMax)),
      rateLimited: trials.reduce((sum, trial) => sum + trial.rateLimited, 0),
      everyContactOnce: trials.every((trial) => trial.contacts === expectedContacts && trial.warehouseRows === expectedContacts),
    };
  });
}

/** Near-linear: n workers serve at least this share of n times what one serves. */
export const LINEAR_GOAL = 0.9;

export interface Verdict {
  readonly met: boolean;
  readonly text: string;
}

/** Whether the figures meet the goals: near-linear ratios, no window over its max, no 429, every contact once. */
export function verdictOf(figures: readonly WorkerCountFigures[]): Verdict {
  const scaled = figures.filter((f) => f.workers > 1);
  const linear = scaled.every((f) => f.ratio !== undefined && f.ratio >= LINEAR_GOAL * f.workers);
  const busiest = Math.max(...figures.map((f) => f.busiestWindow));
  const windowMax = Math.max(...figures.map((f) => f.windowMax));
  const refused = figures.reduce((sum, f) => sum + f.rateLimited, 0);
  const complete = figures.every((f) => f.everyContactOnce);
  const met = linear && busiest <= windowMax && refused === 0 && complete;
  const ratios = scaled.map((f) => `${f.workers} workers ×${f.ratio?.toFixed(2) ?? '–'}`).join(', ');
  return {
    met,
    text: `${ratios}; busiest window ${busiest} of ${windowMax}; ${refused} × 429; ${complete ? 'every contact once in every trial' : 'contacts MISSING or doubled in a trial'}`,
  };
}

function mb(value: number): string {
  return Number.isFinite(value) ? value.toFixed(0) : 'n/a';
}

/** The table of the RESULTS.md entry, one row per worker count. */
export function figuresTable(figures: readonly WorkerCountFigures[]): string {
  const rows = figures.map(
    (f) =>
      `| ${f.workers} | ${f.contactsPerSecond.toFixed(1)} | ${f.callsPerSecond.toFixed(1)} | ${f.ratio === undefined ? '–' : `×${f.ratio.toFixed(2)}`} | ` +
      `${f.ceilingCallsPerSecond.toFixed(0)} | ${f.shareOfCeiling.toFixed(2)} | ${f.elapsedSeconds.toFixed(1)} | ${f.meanRunSeconds.toFixed(1)} | ${mb(f.peakRssMb)} | ` +
      `${f.busiestWindow} / ${f.windowMax} | ${f.rateLimited} | ${f.everyContactOnce ? 'yes' : 'NO'} |`,
  );
  return [
    '| workers | contacts/s | calls/s | × 1 worker | window ceiling (calls/s) | calls / ceiling | elapsed (s) | one location (s) | peak RSS of a worker (MB) | busiest window / max | 429s | every contact once |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}

/** One line per round: each worker count's contacts/s and its ratio, and the load average after each trial. */
export function roundLines(rounds: readonly (readonly TrialOutcome[])[]): string[] {
  return rounds.map((round, index) => {
    const one = round.find((trial) => trial.workers === 1);
    const parts = [...round]
      .sort((a, b) => a.workers - b.workers)
      .map((trial) => {
        const ratio = one === undefined || trial.workers === 1 ? '' : ` (×${(contactsPerSecond(trial) / contactsPerSecond(one)).toFixed(2)})`;
        return `${trial.workers}: ${contactsPerSecond(trial).toFixed(1)}${ratio}, load ${trial.loadAverage.toFixed(1)}`;
      });
    return `- round ${index + 1} (contacts/s by workers): ${parts.join('; ')}`;
  });
}
