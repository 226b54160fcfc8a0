/**
 * The client path without a rate limit: 100,000 contacts read from an unthrottled GHL sandbox (timeScale 0)
 * through the connector's `contacts` stream (POST /contacts/search, pages of 500, searchAfter), against a bare
 * `undici.request` loop over a keep-alive Pool sending the same bodies in the same sequence, both against the
 * same sandbox (served by a child process). The two clients take turns page by page, so that the machine's
 * other work weighs on both alike; figures are medians over the rounds.
 *
 *   node --import tsx bench/http/run.ts [--size 100000] [--rounds 7] [--seed 1]
 */
import { parseArgs } from 'node:util';
import { closeAllPools } from '@ferry/core';
import { openBareReader } from './bare-read.js';
import { openFerryReader } from './ferry-read.js';
import { describeMachine, machineInfo } from './machine.js';
import { median } from './median.js';
import { readInTurns, recordsPerSecond, type PageReader, type ReadTotals } from './page-reader.js';
import { appendResultsEntry } from './results-section.js';
import { startSandboxProcess } from './sandbox-process.js';

const GOAL = 0.8;
const WARM_UP_PAGES = 20;
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '7' },
    seed: { type: 'string', default: '1' },
  },
});
const size = Number(values.size);
const rounds = Math.max(1, Number(values.rounds));
const command = `node --import tsx bench/http/run.ts --size ${size} --rounds ${rounds} --seed ${values.seed}`;

interface Round {
  readonly ferry: ReadTotals;
  readonly bare: ReadTotals;
}

/** One read by both clients in turns; checks they read everything with the same bodies in the same order. */
async function round(baseUrl: string, maxPages?: number): Promise<Round> {
  const ferryReader = openFerryReader(baseUrl);
  const bareReader = openBareReader(baseUrl);
  const readers: [PageReader, PageReader] = [ferryReader, bareReader];
  try {
    const [ferry, bare] = await readInTurns(readers, maxPages);
    const [ferryBodies, bareBodies] = [ferryReader.bodies(), bareReader.bodies()];
    if (ferryBodies.length !== bareBodies.length || ferryBodies.some((body, i) => body !== bareBodies[i])) {
      throw new Error('the two clients did not send the same search bodies in the same order');
    }
    if (maxPages === undefined && (ferry.records !== size || bare.records !== size)) {
      throw new Error(`expected ${size} records, read ${ferry.records} (ferry) and ${bare.records} (bare)`);
    }
    return { ferry, bare };
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
}

const ratioOf = (r: Round): number => recordsPerSecond(r.ferry) / recordsPerSecond(r.bare);

const machine = machineInfo();
process.stdout.write(`seeding ${size} contacts in the sandbox process…\n`);
const sandbox = await startSandboxProcess({ seed: Number(values.seed), size, timeScale: 0 });
const measured: Round[] = [];
try {
  // Both paths compiled by the JIT and both connections open before anything counts.
  await round(sandbox.url, WARM_UP_PAGES);
  for (let i = 1; i <= rounds; i += 1) {
    const result = await round(sandbox.url);
    measured.push(result);
    process.stdout.write(
      `round ${i}: ferry ${recordsPerSecond(result.ferry).toFixed(0)} records/s, bare ${recordsPerSecond(result.bare).toFixed(0)} records/s, ratio ${ratioOf(result).toFixed(3)}\n`,
    );
  }
} finally {
  await sandbox.close();
  await closeAllPools();
}
const loadAtEnd = machineInfo().loadAverage;

const perPage = (t: ReadTotals, value: number): number => value / t.pages;
const medianOf = (read: (r: Round) => number): number => median(measured.map(read));
const ratio = medianOf(ratioOf);
const pages = measured[0]?.ferry.pages ?? 0;
const ferryCpu = medianOf((r) => perPage(r.ferry, r.ferry.cpuMs));
const bareCpu = medianOf((r) => perPage(r.bare, r.bare.cpuMs));
const row = (label: string, pick: (r: Round) => ReadTotals): string =>
  `| ${label} | ${medianOf((r) => recordsPerSecond(pick(r))).toFixed(0)} | ${medianOf((r) => perPage(pick(r), pick(r).elapsedMs)).toFixed(2)} | ${medianOf((r) => perPage(pick(r), pick(r).cpuMs)).toFixed(2)} |`;
const table = [
  '| client | records/s | ms per page | client CPU ms per page |',
  '|---|---:|---:|---:|',
  row('ferry: `contacts` stream, runtime HTTP client', (r) => r.ferry),
  row('bare: `undici.request` over a keep-alive Pool', (r) => r.bare),
].join('\n');
const roundsTable = [
  '| round | ferry records/s | bare records/s | ratio |',
  '|---:|---:|---:|---:|',
  ...measured.map((r, i) => `| ${i + 1} | ${recordsPerSecond(r.ferry).toFixed(0)} | ${recordsPerSecond(r.bare).toFixed(0)} | ${ratioOf(r).toFixed(3)} |`),
].join('\n');
const verdict = ratio >= GOAL ? 'met' : 'NOT met';

const SECTION_INTRO = `The client path without a rate limit: every contact of an unthrottled GHL sandbox (timeScale 0, served by a child process on loopback) read through the connector's \`contacts\` stream (POST /contacts/search, pages of 500, searchAfter) on the runtime's HTTP client, against a bare \`undici.request\` loop over a keep-alive Pool sending the same bodies in the same order to the same sandbox. The two clients take turns page by page (which goes first alternates), each page timed; a round is one full read by each, and figures are medians over the rounds. Client CPU is the benchmark process's CPU during a client's pages (the sandbox works in the other process). Goal: ferry's throughput ≥ ${GOAL} of the bare loop's. Run: \`node --import tsx bench/http/run.ts\`. Newest run last.`;
const entry = `### ${new Date().toISOString()} — ${size.toLocaleString('en-US')} contacts, ${pages} pages, ${rounds} rounds (medians)

- Machine: ${describeMachine(machine, loadAtEnd)}
- Command: \`${command}\`

${table}

**ferry / bare throughput: ${ratio.toFixed(3)}** (median of the rounds' ratios; goal ≥ ${GOAL}: ${verdict}). The client's own cost beyond the bare loop: ${(ferryCpu - bareCpu).toFixed(2)} ms of CPU per page of 500 contacts (${((ferryCpu - bareCpu) * 2).toFixed(1)} µs per contact), most of it the normalisation of each contact to the connector's record shape (search-only fields and nulls dropped, ISO dates of birth); the rest is the stream's checkpoint state, the limiter and the client's bookkeeping.

${roundsTable}`;

process.stdout.write(`\n${entry}\n`);
process.stdout.write(`\nappended to ${appendResultsEntry('http', SECTION_INTRO, entry)}\n`);
