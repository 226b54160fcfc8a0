/**
 * Runs the suite-sized reliability tests (test/reliability/*.test.ts: crashes of `ferry run` and `ferry serve`,
 * faults, the corpus of broken files, fuzzing, webhook attacks, least privilege, store failures, secret leaks)
 * and records what each checked and how long it took.
 *
 *   node --import tsx scripts/reliability/suite-campaign.ts
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { saveResult } from './results.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const corpus = (dir: string): number => readdirSync(fileURLToPath(new URL(`../../test/reliability/corpus/${dir}/`, import.meta.url))).length;
const started = Date.now();
const out = spawnSync('npx', ['vitest', 'run', 'test/reliability', '--reporter', 'json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
const report = JSON.parse(out.stdout.slice(out.stdout.indexOf('{'))) as {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; startTime: number; endTime: number; assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
};
const files: Record<string, string> = {};
for (const file of report.testResults) {
  const passed = file.assertionResults.filter((t) => t.status === 'passed').length;
  files[file.name.slice(file.name.indexOf('test/reliability/'))] = `${passed}/${file.assertionResults.length} passed in ${((file.endTime - file.startTime) / 1000).toFixed(1)} s`;
}
saveResult({
  campaign: 'suite',
  command: 'node --import tsx scripts/reliability/suite-campaign.ts',
  finishedAt: new Date().toISOString(),
  durationMs: Date.now() - started,
  held: report.numFailedTests === 0,
  figures: {
    'broken pipeline files (test/reliability/corpus/pipelines)': corpus('pipelines'),
    'broken project files (test/reliability/corpus/projects)': corpus('projects'),
    ...files,
    'tests passed / failed': `${report.numPassedTests} / ${report.numFailedTests}`,
  },
  notes: report.testResults.flatMap((f) => f.assertionResults.filter((t) => t.status === 'failed').map((t) => `${t.title}: ${(t.failureMessages[0] ?? '').slice(0, 300)}`)),
});
process.stdout.write(`${report.numFailedTests === 0 ? 'held' : 'FAILED'}: ${report.numPassedTests} passed, ${report.numFailedTests} failed\n`);
process.exitCode = report.numFailedTests === 0 ? 0 : 1;
