/**
 * The engine benchmark: a million generated contacts through `where` + `map` + the built-in sqlite warehouse with
 * checkpoints, run by the real engine, against a hand-written loop doing the same work (bench/README.md says what
 * each side does). Every measurement runs in a process of its own, so that memory peaks are separate; engine and
 * loop alternate within each round so that both see the same machine load, and the ratio is taken per round.
 *
 *   node --import tsx bench/engine/run.ts [--records 1000000] [--memory-records 100000] [--runs 3] [--no-results]
 *
 * Prints a table and appends it to the `## engine` section of bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Measurement, Variant } from './measurement.js';
import { withEngineEntry } from './results-section.js';
import { formatReport, summarize, type Round } from './report.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    'memory-records': { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    'no-results': { type: 'boolean', default: false },
  },
});
const RECORDS = Number(values.records);
const MEMORY_RECORDS = Number(values['memory-records']);
const RUNS = Number(values.runs);
for (const [name, value] of [['--records', RECORDS], ['--memory-records', MEMORY_RECORDS], ['--runs', RUNS]] as const) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number above 0`);
}

const MEASURE = fileURLToPath(new URL('./measure.ts', import.meta.url));
const RESULTS = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

/** One measurement in a child process (the same Node flags as this one: tsx). */
function measure(variant: Variant, records: number, verify = false): Promise<Measurement> {
  // --expose-gc lets the child measure its live heap after the run (it changes no collection before that).
  const args = [...process.execArgv, '--expose-gc', MEASURE, '--variant', variant, '--records', String(records), ...(verify ? ['--verify'] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = output.trim().split('\n').at(-1);
      if (code !== 0 || line === undefined || line === '') {
        reject(new Error(`${variant} with ${records} records exited with ${String(code)}`));
        return;
      }
      resolve(JSON.parse(line) as Measurement);
    });
  });
}

function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}

const loadBefore = loadavg();
const rounds: Round[] = [];
for (let round = 1; round <= RUNS; round++) {
  // Alternate who goes first, so that neither side always meets the machine warmer or busier.
  const order: Variant[] = round % 2 === 1 ? ['engine', 'baseline'] : ['baseline', 'engine'];
  const verify = round === 1;
  const measured: Partial<Record<Variant, Measurement>> = {};
  for (const variant of order) {
    progress(`round ${round}/${RUNS}: ${variant}, ${RECORDS.toLocaleString('en-US')} records (load ${loadavg()[0]?.toFixed(2)})`);
    measured[variant] = await measure(variant, RECORDS, verify);
  }
  progress(`round ${round}/${RUNS}: engine, ${MEMORY_RECORDS.toLocaleString('en-US')} records (memory)`);
  const small = await measure('engine', MEMORY_RECORDS);
  // The process with everything loaded and nothing run: how much of each peak is Node, tsx and the modules.
  const floor = await measure('engine', 0);
  const engine = measured.engine;
  const baseline = measured.baseline;
  if (engine === undefined || baseline === undefined) throw new Error('a measurement is missing');
  if (verify && JSON.stringify(engine.digest) !== JSON.stringify(baseline.digest)) {
    throw new Error(`the engine and the loop did not leave the same output:\n${JSON.stringify(engine.digest)}\n${JSON.stringify(baseline.digest)}`);
  }
  rounds.push({ engine, baseline, small, floor });
}
const loadAfter = loadavg();

const cpu = cpus();
const summary = summarize(rounds);
const { table, entry } = formatReport(summary, {
  date: new Date(),
  cpuModel: cpu[0]?.model.trim() ?? 'unknown CPU',
  cores: cpu.length,
  memoryBytes: totalmem(),
  node: process.version,
  loadBefore,
  loadAfter,
  command: `node --import tsx bench/engine/run.ts --records ${RECORDS} --memory-records ${MEMORY_RECORDS} --runs ${RUNS}`,
});
process.stdout.write(`${table}\n`);

if (!values['no-results']) {
  const intro =
    "Generated contacts (a million by default) through `where` + `map` + the built-in sqlite warehouse with checkpoints, run by the engine (`runPipeline`, real store and warehouse files), against a hand-written loop doing the same work; and the engine's peak memory at two sizes, each in a process of its own. bench/README.md describes both sides exactly. Run: `node --import tsx bench/engine/run.ts`. Newest run last.";
  writeFileSync(RESULTS, withEngineEntry(existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : undefined, intro, entry));
  progress(`written to ${RESULTS}`);
}
