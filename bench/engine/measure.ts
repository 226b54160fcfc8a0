/**
 * One measurement in a process of its own, so that its memory peak is its own:
 *
 *   node --import tsx bench/engine/measure.ts --variant engine|baseline --records N [--verify] [--keep DIR]
 *
 * Prints one JSON line (a Measurement) on stdout; with --verify it carries a digest of the run's output files, and
 * under `node --expose-gc` the heap still live after a full collection at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import type { MeasuredRun } from './engine-run.js';
import type { Measurement, Variant } from './measurement.js';

// The V8 setting `ferry` runs with (cli/bin/ferry.js says why), set as the launcher sets it: before anything of the
// engine is loaded. Both variants run with it.
setFlagsFromString('--no-allocation-site-pretenuring');
const { runEngine, runFiles } = await import('./engine-run.js');
const { outputDigest } = await import('./output-digest.js');

const { values } = parseArgs({
  options: {
    variant: { type: 'string' },
    records: { type: 'string', default: '1000000' },
    'batch-size': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4' },
    keep: { type: 'string' },
    verify: { type: 'boolean', default: false },
  },
});
/** The heap still reachable once the run is over: a full collection first (needs `node --expose-gc`). */
function liveHeap(): number | undefined {
  const collect: unknown = Reflect.get(globalThis, 'gc');
  if (typeof collect !== 'function') return undefined;
  collect();
  return process.memoryUsage().heapUsed;
}

const variant = values.variant;
if (variant !== 'engine' && variant !== 'baseline') throw new Error('--variant must be engine or baseline');
const records = Number(values.records);
const batchSize = Number(values['batch-size']);
const concurrency = Number(values.concurrency);

const dir = values.keep ?? mkdtempSync(join(tmpdir(), `ferry-bench-${variant}-`));
try {
  const files = runFiles(dir);
  let run: MeasuredRun;
  if (variant === 'engine') {
    const { result, ...measured } = await runEngine(dir, { records, batchSize, concurrency });
    if (result.status !== 'succeeded') throw new Error(`the engine run ended ${result.status}: ${result.error?.message ?? ''}`);
    run = measured;
  } else {
    // Loaded only here: the loop's side imports @ferry/core/testing, and with it vitest (about 30 MB), which must
    // not count towards the engine's peak.
    const { runBaseline } = await import('./baseline-run.js');
    run = await runBaseline(files, { records, batchSize });
  }
  // Read before the digest below, which must not count towards the run's memory.
  const maxRssBytes = process.resourceUsage().maxRSS * 1024;
  const liveHeapBytes = liveHeap();
  const measurement: Measurement = {
    variant: variant satisfies Variant,
    records: run.records,
    written: run.written,
    skipped: run.skipped,
    elapsedMs: run.elapsedMs,
    cpuMs: run.cpuMs,
    recordsPerSecond: (run.records * 1000) / run.elapsedMs,
    // maxRSS is in kilobytes: the largest resident set the process ever had.
    maxRssBytes,
    ...(liveHeapBytes === undefined ? {} : { liveHeapBytes }),
    ...(values.verify ? { digest: outputDigest(files) } : {}),
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
} finally {
  if (values.keep === undefined) rmSync(dir, { recursive: true, force: true });
}
