/**
 * A full GHL sync at the rate limit: 5,000 contacts from POST /contacts/search (pages of 500), then each
 * contact's tasks and notes (two GETs per contact: 10,011 requests), against the GHL sandbox enforcing the API's
 * 100 requests per 10 s per location (sliding), time-scaled, served by a child process on loopback. Two clients
 * do the same sync, each against a fresh sandbox, with the same number of contacts worked on at once:
 * - ferry: the connector's streams on the runtime's HTTP client and the shared limiter of the location;
 * - naive: plain undici requests on a keep-alive pool, no throttle, a 429 slept off (1 s, scaled) and sent again.
 * Reported: accepted requests/s as a share of the ceiling (sustained, and overall with the fresh budget's first
 * burst), the 429s the sandbox answered, the most requests it admitted in any window, medians over `--runs`.
 *
 * The default time scale (20: a 10 s window lasts 500 ms, ceiling 200 requests/s) keeps a loopback call's latency
 * on a busy machine (a few ms, tens in its tail) about as small beside the window as a real call's is beside
 * the real one; a limiter that holds each slot until a window after the answer loses exactly that latency, so
 * much higher scales measure the machine's latency rather than the limiter.
 *
 *   node --import tsx bench/ghl-rate/run.ts [--size 5000] [--time-scale 20] [--concurrency 32] [--runs 1] [--seed 1]
 */
import { parseArgs } from 'node:util';
import { closeAllPools } from '@ferry/core';
import { BURST_LIMIT } from '@ferry/connector-ghl/sandbox';
import { describeMachine, machineInfo } from '../http/machine.js';
import { median } from '../http/median.js';
import { appendResultsEntry } from '../http/results-section.js';
import { syncWithFerry } from './ferry-sync.js';
import { syncNaively } from './naive-sync.js';
import { ceilingPerSecond, latencyBound, overallShare, sustainedShare, type RateWindow, type SyncOutcome } from './sync-outcome.js';

const GOAL = 0.95;
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '5000' },
    'time-scale': { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '32' },
    runs: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
  },
});
const options = { size: Number(values.size), timeScale: Number(values['time-scale']), concurrency: Number(values.concurrency), seed: Number(values.seed) };
const runs = Math.max(1, Number(values.runs));
const window: RateWindow = { max: BURST_LIMIT.max, perMs: BURST_LIMIT.perMs / options.timeScale };
const command = `node --import tsx bench/ghl-rate/run.ts --size ${options.size} --time-scale ${options.timeScale} --concurrency ${options.concurrency} --runs ${runs} --seed ${options.seed}`;

interface Figures {
  readonly client: string;
  readonly description: string;
  readonly outcomes: readonly SyncOutcome[];
}

const machine = machineInfo();
const ferryRuns: SyncOutcome[] = [];
const naiveRuns: SyncOutcome[] = [];
for (let run = 1; run <= runs; run += 1) {
  process.stdout.write(`run ${run}/${runs}: ferry…`);
  ferryRuns.push(await syncWithFerry(options));
  process.stdout.write(` ${summary(ferryRuns.at(-1))}\nrun ${run}/${runs}: naive…`);
  naiveRuns.push(await syncNaively({ ...options, retryAfterMs: 1000 / options.timeScale }));
  process.stdout.write(` ${summary(naiveRuns.at(-1))}\n`);
}
await closeAllPools();
const loadAtEnd = machineInfo().loadAverage;

function summary(outcome: SyncOutcome | undefined): string {
  if (outcome === undefined) return '';
  return `${(outcome.elapsedMs / 1000).toFixed(1)} s, sustained ${(sustainedShare(outcome.acceptedAt, window) ?? 0).toFixed(3)} of the ceiling, ${outcome.rateLimited} × 429`;
}

const figures: readonly Figures[] = [
  { client: 'ferry', description: 'connector streams, runtime HTTP client, limiter', outcomes: ferryRuns },
  { client: 'naive', description: `undici, no throttle, 429 → sleep ${Math.round(1000 / options.timeScale)} ms, resend`, outcomes: naiveRuns },
];

function medianOf(outcomes: readonly SyncOutcome[], read: (o: SyncOutcome) => number): number {
  return median(outcomes.map(read));
}

const rows = figures.map((f) => {
  const o = f.outcomes;
  const records = `${medianOf(o, (x) => x.contacts)} / ${medianOf(o, (x) => x.tasks)} / ${medianOf(o, (x) => x.notes)}`;
  return (
    `| ${f.client} (${f.description}) | ${records} | ${medianOf(o, (x) => x.admitted)} | ${medianOf(o, (x) => x.rateLimited)} | ` +
    `${(medianOf(o, (x) => x.elapsedMs) / 1000).toFixed(1)} | ${medianOf(o, (x) => x.admitted / (x.elapsedMs / 1000)).toFixed(1)} | ` +
    `${medianOf(o, (x) => sustainedShare(x.acceptedAt, window) ?? Number.NaN).toFixed(3)} | ${medianOf(o, (x) => overallShare(x, window)).toFixed(3)} | ` +
    `${Math.max(...o.map((x) => x.peakInWindow))} / ${Math.max(...o.map((x) => x.rollingPeak))} | ${callTimes(o)} |`
  );
});

/** Mean call time and the share of the ceiling it leaves reachable, for a client with a limiter. */
function callTimes(outcomes: readonly SyncOutcome[]): string {
  const seen = outcomes.flatMap((x) => (x.limiter === undefined ? [] : [x.limiter]));
  if (seen.length === 0) return '–';
  const meanCallMs = median(seen.map((l) => l.meanCallMs));
  const bound = median(seen.map((l) => latencyBound(window, l.meanCallMs, l.marginMs)));
  return `${meanCallMs.toFixed(1)} ms → ${bound.toFixed(3)}`;
}
const ferrySustained = median(ferryRuns.map((x) => sustainedShare(x.acceptedAt, window) ?? Number.NaN));
const ferry429 = Math.max(...ferryRuns.map((x) => x.rateLimited));
const everyRecord = ferryRuns.every((x) => x.contacts === options.size);
const verdict = ferrySustained >= GOAL && ferry429 === 0 && everyRecord ? 'met' : 'NOT met';
const perRun =
  runs > 1
    ? `\n\nPer run (sustained share, 429s): ${figures
        .map((f) => `${f.client} ${f.outcomes.map((x) => `${(sustainedShare(x.acceptedAt, window) ?? 0).toFixed(3)} / ${x.rateLimited}`).join(', ')}`)
        .join('; ')}.`
    : '';

const SECTION_INTRO = `A full sync of contacts with their tasks and notes at the API's rate limit: the \`contacts\` stream (POST /contacts/search, pages of 500), then \`contact.tasks\` and \`contact.notes\` for each contact, against the GHL sandbox (served by a child process on loopback) enforcing 100 requests per 10 s per location (sliding window), time-scaled. ferry uses the connector's streams on the runtime's HTTP client and the location's shared limiter; the naive client sends plain undici requests with the same concurrency, no throttle, and sleeps off each 429 before sending the call again. Each client syncs against a fresh sandbox.

Sustained: the window over the mean time between the i-th and the (i+100)-th accepted call (1.0: every slot reused at once). Overall: accepted calls over the whole sync; it can pass 1, as a fresh budget lets the first 100 go at once. Bound: a client that cannot see the server's clock must hold each slot from letting a call out until a window after its answer, so with calls taking t ms on average it reaches at most window / (window + margin + t); the gap between ferry's sustained share and this bound is what its limiter itself loses, the rest is the machine's latency. Goals (ferry): sustained ≥ ${GOAL} of the ceiling, 0 × 429, every record read. Run: \`node --import tsx bench/ghl-rate/run.ts\`. Newest run last.`;

const entry = `### ${new Date().toISOString()} — ${options.size.toLocaleString('en-US')} contacts, time scale ${options.timeScale} (a window lasts ${window.perMs} ms; ceiling ${ceilingPerSecond(window)} requests/s), ${options.concurrency} contacts at a time, ${runs} run${runs === 1 ? '' : 's'} (medians)

- Machine: ${describeMachine(machine, loadAtEnd)}
- Command: \`${command}\`

| client | contacts / tasks / notes | requests accepted | 429s | elapsed (s) | accepted/s | sustained / ceiling | overall / ceiling | most in one window / any rolling window | mean call time → bound |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

Goals (ferry: sustained ≥ ${GOAL} of the ceiling, 0 × 429, every record read): **${verdict}** — ferry sustained ${ferrySustained.toFixed(3)}, ${ferry429} × 429. The naive client gets its throughput by sending ${median(naiveRuns.map((x) => x.rateLimited))} calls the API refuses with a 429.${perRun}`;

process.stdout.write(`\n${entry}\n`);
process.stdout.write(`\nappended to ${appendResultsEntry('ghl-rate', SECTION_INTRO, entry)}\n`);
