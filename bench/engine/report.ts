import type { Measurement } from './measurement.js';

/** One round: the engine and the loop on the full size, the engine on the small size and on none (memory). */
export interface Round {
  readonly engine: Measurement;
  readonly baseline: Measurement;
  readonly small: Measurement;
  readonly floor: Measurement;
}

export interface Figure {
  readonly median: number;
  readonly runs: readonly number[];
}

export interface Summary {
  readonly records: number;
  readonly smallRecords: number;
  readonly engine: Figure;
  readonly baseline: Figure;
  /** Engine ÷ loop, per round (both ran back to back under the same load). */
  readonly ratio: Figure;
  /** CPU time per record (µs): what the work costs whatever else the machine runs. */
  readonly engineCpu: Figure;
  readonly baselineCpu: Figure;
  /** Loop CPU ÷ engine CPU, per round: the same ratio measured in CPU time instead of wall time. */
  readonly cpuRatio: Figure;
  readonly rssFloor: Figure;
  /** Heap live after a full collection at the end of the run, at the small and the full size. */
  readonly liveSmall: Figure;
  readonly liveLarge: Figure;
  readonly rssSmall: Figure;
  readonly rssLarge: Figure;
  /**
   * Median peak RSS at the full size ÷ median at the small size. Memory does not move with the machine's load, so
   * the medians are compared rather than rounds; a peak depends on when V8 last collected, not on the round.
   */
  readonly rssGrowth: number;
}

export interface Machine {
  readonly date: Date;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
  readonly command: string;
}

/** Goals the benchmark is held to. */
export const GOALS = { ratio: 0.5, rssGrowth: 1.3 } as const;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function figure(runs: readonly number[]): Figure {
  return { median: median(runs), runs };
}

function cpuPerRecord(measurement: Measurement): number {
  return (measurement.cpuMs * 1000) / measurement.records;
}

export function summarize(rounds: readonly Round[]): Summary {
  const first = rounds[0];
  if (first === undefined) throw new Error('no rounds to summarize');
  return {
    records: first.engine.records,
    smallRecords: first.small.records,
    engine: figure(rounds.map((round) => round.engine.recordsPerSecond)),
    baseline: figure(rounds.map((round) => round.baseline.recordsPerSecond)),
    ratio: figure(rounds.map((round) => round.engine.recordsPerSecond / round.baseline.recordsPerSecond)),
    engineCpu: figure(rounds.map((round) => cpuPerRecord(round.engine))),
    baselineCpu: figure(rounds.map((round) => cpuPerRecord(round.baseline))),
    cpuRatio: figure(rounds.map((round) => cpuPerRecord(round.baseline) / cpuPerRecord(round.engine))),
    rssFloor: figure(rounds.map((round) => round.floor.maxRssBytes)),
    liveSmall: figure(rounds.map((round) => round.small.liveHeapBytes ?? Number.NaN)),
    liveLarge: figure(rounds.map((round) => round.engine.liveHeapBytes ?? Number.NaN)),
    rssSmall: figure(rounds.map((round) => round.small.maxRssBytes)),
    rssLarge: figure(rounds.map((round) => round.engine.maxRssBytes)),
    rssGrowth: median(rounds.map((round) => round.engine.maxRssBytes)) / median(rounds.map((round) => round.small.maxRssBytes)),
  };
}

const count = (value: number): string => Math.round(value).toLocaleString('en-US');
const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const ratio = (value: number): string => value.toFixed(2);
const micro = (value: number): string => value.toFixed(1);
const load = (values: readonly number[]): string => values.map((value) => value.toFixed(2)).join(' / ');

function row(label: string, value: string, runs: readonly string[], goal = ''): string {
  return `| ${label} | ${value} | ${runs.join(' · ')} | ${goal} |`;
}

/** The table (printed and written) and the whole RESULTS.md entry around it. */
export function formatReport(summary: Summary, machine: Machine): { table: string; entry: string } {
  const ratioMet = summary.ratio.median >= GOALS.ratio;
  const growthMet = summary.rssGrowth <= GOALS.rssGrowth;
  const table = [
    '| measurement | median | runs | goal |',
    '|---|---:|---|---|',
    row(`engine, ${count(summary.records)} records`, `${count(summary.engine.median)} records/s`, summary.engine.runs.map(count)),
    row('hand-written loop, same work', `${count(summary.baseline.median)} records/s`, summary.baseline.runs.map(count)),
    row('engine ÷ loop (per round)', ratio(summary.ratio.median), summary.ratio.runs.map(ratio), `≥ ${GOALS.ratio}: ${ratioMet ? 'met' : 'NOT met'}`),
    row('engine CPU time per record', `${micro(summary.engineCpu.median)} µs`, summary.engineCpu.runs.map(micro)),
    row('loop CPU time per record', `${micro(summary.baselineCpu.median)} µs`, summary.baselineCpu.runs.map(micro)),
    row('loop CPU ÷ engine CPU (per round)', ratio(summary.cpuRatio.median), summary.cpuRatio.runs.map(ratio), 'the ratio without the machine\'s load'),
    row('engine peak RSS, 0 records (Node, tsx, modules)', megabytes(summary.rssFloor.median), summary.rssFloor.runs.map(megabytes)),
    row(`engine peak RSS, ${count(summary.smallRecords)} records`, megabytes(summary.rssSmall.median), summary.rssSmall.runs.map(megabytes)),
    row(`engine peak RSS, ${count(summary.records)} records`, megabytes(summary.rssLarge.median), summary.rssLarge.runs.map(megabytes)),
    row(`peak RSS ${count(summary.records)} ÷ ${count(summary.smallRecords)} (medians)`, ratio(summary.rssGrowth), [], `≤ ${GOALS.rssGrowth}: ${growthMet ? 'met' : 'NOT met'}`),
    // The ratio of whole peaks hides how much of each is the run itself: the floor is most of both.
    row(
      `peak RSS above the 0-record floor, ${count(summary.smallRecords)} → ${count(summary.records)} records (medians)`,
      `${megabytes(summary.rssSmall.median - summary.rssFloor.median)} → ${megabytes(summary.rssLarge.median - summary.rssFloor.median)}`,
      [],
    ),
    row(`engine live heap after the run, ${count(summary.smallRecords)} records`, megabytes(summary.liveSmall.median), summary.liveSmall.runs.map(megabytes)),
    row(`engine live heap after the run, ${count(summary.records)} records`, megabytes(summary.liveLarge.median), summary.liveLarge.runs.map(megabytes)),
  ].join('\n');
  const entry = [
    `### ${machine.date.toISOString()} — ${machine.cores} × ${machine.cpuModel}, ${megabytes(machine.memoryBytes)} RAM, Node ${machine.node}`,
    '',
    `Command: \`${machine.command}\`. Load average (1 / 5 / 15 min): ${load(machine.loadBefore)} before, ${load(machine.loadAfter)} after.`,
    '',
    table,
  ].join('\n');
  return { table, entry };
}
