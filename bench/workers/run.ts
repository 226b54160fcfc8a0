/**
 * Scale-out: how throughput grows with the number of `ferry worker` processes when the API's rate windows are
 * the bottleneck. One pipeline (GHL contacts → PostgreSQL warehouse) over `--locations` GHL sandbox locations,
 * one partition each, every location's window 100 calls per 10 s (time-scaled); a PostgreSQL store and rate
 * windows shared in Redis. Each trial syncs every location with 1, 2 or 3 workers, each worker processing one
 * unit at a time (`--concurrency 1`), against a fresh sandbox; rounds alternate the order of the worker counts.
 * Reported: contacts/s and calls/s (store clock: first run's start to last run's end), the ratio to one worker
 * in the same round, the windows' ceiling for that many units at once, each worker's peak RSS, and the most calls
 * the sandbox admitted for one location in any rolling window (must stay at most 100).
 *
 * Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (database `test`, trust auth); every trial
 * removes its schemas, keys and files.
 *
 *   node --import tsx bench/workers/run.ts [--locations 6] [--size 250] [--page-size 1] [--time-scale 1]
 *     [--workers 1,2,3] [--rounds 3] [--seed 1] [--pipeline contacts|guarded] [--no-results]
 *
 * `--pipeline guarded` adds `skipEchoes` and `when.became` to the pipeline: look-ups for every record of a page
 * (use pages of more than one contact, e.g. --size 2500 --page-size 10, to see them apart from the pages).
 */
import { parseArgs } from 'node:util';
import { describeMachine, machineInfo } from '../http/machine.js';
import { appendResultsEntry } from '../http/results-section.js';
import { figuresByWorkers, figuresTable, LINEAR_GOAL, roundLines, verdictOf, type TrialOutcome } from './figures.js';
import { runTrial } from './trial.js';

const { values } = parseArgs({
  options: {
    locations: { type: 'string', default: '6' },
    size: { type: 'string', default: '250' },
    'page-size': { type: 'string', default: '1' },
    'time-scale': { type: 'string', default: '1' },
    workers: { type: 'string', default: '1,2,3' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    pipeline: { type: 'string', default: 'contacts' },
    'no-results': { type: 'boolean', default: false },
  },
});
const options = {
  locations: Number(values.locations),
  size: Number(values.size),
  pageSize: Number(values['page-size']),
  timeScale: Number(values['time-scale']),
  seed: Number(values.seed),
  pipeline: values.pipeline === 'guarded' ? ('guarded' as const) : ('contacts' as const),
};
const workerCounts = values.workers.split(',').map(Number);
const rounds = Math.max(1, Number(values.rounds));
const callsPerLocation = Math.floor(options.size / options.pageSize) + 1;
const windowMs = 10_000 / options.timeScale;
const command =
  `node --import tsx bench/workers/run.ts --locations ${options.locations} --size ${options.size} --page-size ${options.pageSize} ` +
  `--time-scale ${options.timeScale} --workers ${workerCounts.join(',')} --rounds ${rounds} --seed ${options.seed}` +
  (options.pipeline === 'contacts' ? '' : ` --pipeline ${options.pipeline}`);

const machine = machineInfo();
const results: TrialOutcome[][] = [];
for (let round = 1; round <= rounds; round += 1) {
  // Alternate the order so that neither end of a round always meets the machine's other work first.
  const order = round % 2 === 1 ? workerCounts : [...workerCounts].reverse();
  const trials: TrialOutcome[] = [];
  for (const workers of order) {
    process.stdout.write(`round ${round}/${rounds}, ${workers} worker${workers === 1 ? '' : 's'}… `);
    const trial = await runTrial({
      ...options,
      workers,
      redisUrl: 'redis://127.0.0.1:6379/0',
      postgresUrl: 'postgres://postgres@127.0.0.1:5432/test',
      timeoutMs: 30 * 60_000,
    });
    trials.push(trial);
    process.stdout.write(
      `${(trial.elapsedMs / 1000).toFixed(1)} s, ${(trial.contacts / (trial.elapsedMs / 1000)).toFixed(1)} contacts/s, busiest window ${trial.busiestWindow}/${trial.windowMax}, ` +
        `peak RSS ${trial.peakRssMb.map((mb) => mb.toFixed(0)).join('/')} MB\n`,
    );
  }
  results.push(trials);
}
const loadAtEnd = machineInfo().loadAverage;

const figures = figuresByWorkers(results, options.locations * options.size);
const verdict = verdictOf(figures);

const SECTION_INTRO = `Throughput with 1, 2 and 3 \`ferry worker\` processes when the API's rate windows are the bottleneck: one pipeline (GHL \`contacts\` → PostgreSQL warehouse upsert) over several GHL sandbox locations, one partition each, put on the run queue; each worker processes one unit at a time (\`--concurrency 1\`). The store is PostgreSQL, the rate windows are shared in Redis (\`redis:\`), and the sandbox (\`ferry sandbox ghl\`, a process of its own) enforces 100 calls per 10 s per location, time-scaled. Small search pages make every location need a few windows' worth of calls, so one unit is held by its location's window and more workers serve more locations at once. The clock is the store's, from the first run's start to the last run's end (not the processes' start-up). Window ceiling: units at once × 100 calls per window. Peak RSS: the largest worker's VmHWM (Node, tsx compiling the TypeScript sources, the modules and the runs). Busiest window: the most calls the sandbox admitted for one location in any rolling window. Goals: ≥ ${LINEAR_GOAL * 2}× with 2 workers and ≥ ${LINEAR_GOAL * 3}× with 3 (near-linear in locations served), no window over 100, no 429, every contact once. Run: \`node --import tsx bench/workers/run.ts\`. Newest run last.`;

const entry = `### ${new Date().toISOString()} — ${options.locations} locations × ${options.size} contacts (pages of ${options.pageSize}: ${callsPerLocation} calls each)${options.pipeline === 'guarded' ? ', pipeline with skipEchoes and when.became' : ''}, time scale ${options.timeScale} (a window lasts ${windowMs} ms), ${rounds} round${rounds === 1 ? '' : 's'} (medians)

- Machine: ${describeMachine(machine, loadAtEnd)}
- Command: \`${command}\`

${figuresTable(figures)}

Goals (≥ ${LINEAR_GOAL * 2}× and ≥ ${LINEAR_GOAL * 3}×, no window over its max, no 429, every contact once): **${verdict.met ? 'met' : 'NOT met'}** — ${verdict.text}.

${roundLines(results).join('\n')}`;

process.stdout.write(`\n${entry}\n`);
if (values['no-results']) process.stdout.write('\n(--no-results: RESULTS.md left as it was)\n');
else process.stdout.write(`\nappended to ${appendResultsEntry('workers', SECTION_INTRO, entry)}\n`);
