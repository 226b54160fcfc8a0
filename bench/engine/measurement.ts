import type { OutputDigest } from './output-digest.js';

/** What was measured, and one measurement as a child process reports it. */
export type Variant = 'engine' | 'baseline';

export interface Measurement {
  readonly variant: Variant;
  readonly records: number;
  readonly written: number;
  readonly skipped: number;
  readonly elapsedMs: number;
  /** CPU time (user + system) of the run: what the work costs, whatever else the machine is doing. */
  readonly cpuMs: number;
  readonly recordsPerSecond: number;
  readonly maxRssBytes: number;
  /** Under `node --expose-gc`: the heap still used after a full collection once the run is over. */
  readonly liveHeapBytes?: number;
  /** With --verify: what the run left in its files, to check that both variants did the same work. */
  readonly digest?: OutputDigest;
}
