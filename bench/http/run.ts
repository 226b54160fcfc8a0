/**
 * The client path without a rate limit: 100,000 contacts read from an unthrottled GHL sandbox (timeScale 0)
 * through the connector's `contacts` stream (POST /contacts/search, pages of 500, searchAfter), against a bare
 * `undici.request` loop over a keep-alive Pool sending the same bodies in the same sequence, both against the
 * same sandbox (served by a child process). Rounds alternate which client goes first; figures are medians.
 *
 *   node --import tsx bench/http/run.ts [--size 100000] [--rounds 5] [--seed 1]
 */
import { parseArgs } from 'node:util';
import { closeAllPools } from '@ferry/core';
import { readBare } from './bare-read.js';
import { readWithFerry } from './ferry-read.js';
import { describeMachine, machineInfo } from './machine.js';
import { median } from './median.js';
import { recordsPerSecond, type ReadOutcome } from './read-outcome.js';
import { appendResultsEntry } from './results-section.js';
import { startSandboxProcess } from './sandbox-process.js';

const GOAL = 0.8;
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '5' },
    seed: { type: 'string', default: '1' },
  },
});
const size = Number(values.size);
const rounds = Math.max(1, Number(values.rounds));
const command = `node --import tsx bench/http/run.ts --size ${size} --rounds ${rounds} --seed ${values.seed}`;

interface Round {
  readonly ferry: ReadOutcome;
  readonly bare: ReadOutcome;
}

function sameSequence(a: ReadOutcome, b: ReadOutcome): boolean {
  return a.bodies.length === b.bodies.length && a.bodies.every((body, i) => body === b.bodies[i]);
}

const machine = machineInfo();
process.stdout.write(`seeding ${size} contacts in the sandbox process…\n`);
const sandbox = await startSandboxProcess({ seed: Number(values.seed), size, timeScale: 0 });
const measured: Round[] = [];
try {
  // Warm-up: both paths compiled by the JIT and both connections open before anything is timed.
  await readWithFerry(sandbox.url, 20);
  await readBare(sandbox.url, 20);
  for (let round = 1; round <= rounds; round += 1) {
    // Alternating the order spreads any drift of the machine's load over both clients.
    const ferryFirst = round % 2 === 1;
    const first = ferryFirst ? await readWithFerry(sandbox.url) : await readBare(sandbox.url);
    const second = ferryFirst ? await readBare(sandbox.url) : await readWithFerry(sandbox.url);
    const ferry = ferryFirst ? first : second;
    const bare = ferryFirst ? second : first;
    if (ferry.records !== size || bare.records !== size) throw new Error(`expected ${size} records, read ${ferry.records} (ferry) and ${bare.records} (bare)`);
    if (!sameSequence(ferry, bare)) throw new Error('the two clients did not send the same search bodies in the same order');
    measured.push({ ferry, bare });
    process.stdout.write(
      `round ${round}: ferry ${recordsPerSecond(ferry).toFixed(0)} records/s, bare ${recordsPerSecond(bare).toFixed(0)} records/s, ratio ${(recordsPerSecond(ferry) / recordsPerSecond(bare)).toFixed(3)}\n`,
    );
  }
} finally {
  await sandbox.close();
  await closeAllPools();
}
const loadAtEnd = machineInfo().loadAverage;

const ferryRate = median(measured.map((r) => recordsPerSecond(r.ferry)));
const bareRate = median(measured.map((r) => recordsPerSecond(r.bare)));
const ratio = median(measured.map((r) => recordsPerSecond(r.ferry) / recordsPerSecond(r.bare)));
const pages = measured[0]?.ferry.pages ?? 0;
const perPage = (o: ReadOutcome, value: number): number => value / o.pages;
const ferryMsPerPage = median(measured.map((r) => perPage(r.ferry, r.ferry.elapsedMs)));
const bareMsPerPage = median(measured.map((r) => perPage(r.bare, r.bare.elapsedMs)));
const ferryCpu = median(measured.map((r) => perPage(r.ferry, r.ferry.cpuMs)));
const bareCpu = median(measured.map((r) => perPage(r.bare, r.bare.cpuMs)));

const table = [
  '| client | records/s (median) | ms per page (median) | client CPU ms per page (median) |',
  '|---|---:|---:|---:|',
  `| ferry: \`contacts\` stream, runtime HTTP client | ${ferryRate.toFixed(0)} | ${ferryMsPerPage.toFixed(2)} | ${ferryCpu.toFixed(2)} |`,
  `| bare: \`undici.request\` over a keep-alive Pool | ${bareRate.toFixed(0)} | ${bareMsPerPage.toFixed(2)} | ${bareCpu.toFixed(2)} |`,
].join('\n');
const roundsTable = [
  '| round | first | ferry records/s | bare records/s | ratio |',
  '|---:|---|---:|---:|---:|',
  ...measured.map(
    (r, i) =>
      `| ${i + 1} | ${i % 2 === 0 ? 'ferry' : 'bare'} | ${recordsPerSecond(r.ferry).toFixed(0)} | ${recordsPerSecond(r.bare).toFixed(0)} | ${(recordsPerSecond(r.ferry) / recordsPerSecond(r.bare)).toFixed(3)} |`,
  ),
].join('\n');
const verdict = ratio >= GOAL ? 'met' : 'NOT met';
const SECTION_INTRO = `The client path without a rate limit: every contact of an unthrottled GHL sandbox (timeScale 0, served by a child process on loopback) read through the connector's \`contacts\` stream (POST /contacts/search, pages of 500, searchAfter) on the runtime's HTTP client, against a bare \`undici.request\` loop over a keep-alive Pool sending the same bodies in the same order to the same sandbox. Rounds alternate which client goes first; figures are medians over the rounds. Client CPU is the benchmark process's CPU during a read (the sandbox works in the other process). Goal: ferry's throughput ≥ ${GOAL} of the bare loop's. Run: \`node --import tsx bench/http/run.ts\`. Newest run last.`;
const entry = `### ${new Date().toISOString()} — ${size.toLocaleString('en-US')} contacts, ${pages} pages, ${rounds} rounds

- Machine: ${describeMachine(machine, loadAtEnd)}
- Command: \`${command}\`

${table}

**ferry / bare throughput: ${ratio.toFixed(3)}** (median of the per-round ratios; goal ≥ ${GOAL}: ${verdict}). The client's own cost beyond the bare loop: ${(ferryCpu - bareCpu).toFixed(2)} ms of CPU per page of 500 contacts (${((ferryCpu - bareCpu) * 2).toFixed(1)} µs per contact), about half of it the normalisation of each contact to the connector's record shape, the rest the stream's checkpoint state, the limiter and the client's bookkeeping.

${roundsTable}`;

process.stdout.write(`\n${entry}\n`);
process.stdout.write(`\nappended to ${appendResultsEntry('http', SECTION_INTRO, entry)}\n`);
