/**
 * Fuzz campaign: the property tests of test/reliability/fuzz.test.ts (webhook verify+parse of every GHL and
 * Salesmsg trigger, the GHL record normaliser, field-map expressions) with many more cases per property.
 *
 *   node --import tsx scripts/reliability/fuzz-campaign.ts [--runs 20000] [--seed 4242]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { numberArg, saveResult } from './results.js';

const runs = numberArg('runs', 20_000);
const seed = numberArg('seed', 4242);
const root = fileURLToPath(new URL('../../', import.meta.url));
const started = Date.now();
const out = spawnSync('npx', ['vitest', 'run', 'test/reliability/fuzz.test.ts', '--reporter', 'json', '--testTimeout', '3600000'], {
  cwd: root,
  env: { ...process.env, FERRY_FUZZ_RUNS: String(runs), FERRY_FUZZ_SEED: String(seed) },
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const report = JSON.parse(out.stdout.slice(out.stdout.indexOf('{'))) as {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
};
const tests = report.testResults.flatMap((r) => r.assertionResults);
const properties = tests.filter((t) => /hostile|arbitrary|any shape|random expressions|trigger/.test(t.title));
saveResult({
  campaign: 'fuzz',
  command: `node --import tsx scripts/reliability/fuzz-campaign.ts --runs ${runs} --seed ${seed}`,
  finishedAt: new Date().toISOString(),
  durationMs: Date.now() - started,
  held: report.numFailedTests === 0,
  figures: {
    'cases per property': runs,
    'properties (webhook triggers, normalisers, expressions)': properties.length,
    'generated cases in all': runs * properties.length,
    'targeted expression escapes tried': tests.length - properties.length,
    'crashes, hangs, untyped errors, prototype pollution': report.numFailedTests,
  },
  notes: tests.filter((t) => t.status !== 'passed').map((t) => `${t.title}: ${(t.failureMessages[0] ?? '').slice(0, 300)}`),
});
process.stdout.write(`${report.numFailedTests === 0 ? 'held' : 'FAILED'}: ${report.numPassedTests} passed, ${report.numFailedTests} failed\n`);
process.exitCode = report.numFailedTests === 0 ? 0 : 1;
