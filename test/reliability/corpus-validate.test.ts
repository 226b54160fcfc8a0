import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry, type FerryOutput } from '../support/ferry-cli.js';
import { createTempProject, type TempProject } from '../support/temp-project.js';

const CORPUS = fileURLToPath(new URL('./corpus/', import.meta.url));
const pipelines = readdirSync(join(CORPUS, 'pipelines')).sort().map((f) => join(CORPUS, 'pipelines', f));
const projects = readdirSync(join(CORPUS, 'projects')).sort().map((f) => join(CORPUS, 'projects', f));
/** A hang is a failure: each validate must answer well within this. */
const TIME_BOUND_MS = 45_000;

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function expectCleanRefusal(out: FerryOutput, file: string): void {
  const text = out.stdout + out.stderr;
  expect(out.code, text).toBe(2);
  expect(text, `${file}: a positioned error`).toMatch(new RegExp(`${escape(file)}:\\d+:\\d+: \\S`));
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack trace
  expect(text).not.toMatch(/unexpected|internal error|TypeError|RangeError/i);
  expect(text).toContain('hint:');
}

/** `ferry validate` on broken pipeline and project files: a positioned error each, exit 2, no stack trace, no hang. */
describe('ferry validate on the corpus of broken files', () => {
  let project: TempProject;
  beforeAll(() => {
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  source: { connector: csv, config: { path: data.csv } }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: []
`,
      'data.csv': 'id,email\n',
    });
  });
  afterAll(() => project.remove());

  it(`refuses each of the ${pipelines.length} broken pipeline files with its file:line:column`, async () => {
    expect(pipelines.length).toBeGreaterThanOrEqual(30);
    const started = Date.now();
    const out = await ferry(['validate', ...pipelines], { cwd: project.dir, timeoutMs: TIME_BOUND_MS });
    expect(Date.now() - started).toBeLessThan(TIME_BOUND_MS);
    for (const file of pipelines) expectCleanRefusal(out, file);
    expect(project.path('state/ferry.db')).toBeDefined();
  }, 60_000);

  it(`refuses each of the ${projects.length} broken project files`, async () => {
    const results: [string, FerryOutput][] = [];
    const queue = [...projects];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
          results.push([file, await ferry(['--project', file, 'validate'], { cwd: project.dir, timeoutMs: TIME_BOUND_MS })]);
        }
      }),
    );
    for (const [file, out] of results) expectCleanRefusal(out, file);
  }, 90_000);
});
