import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry, type FerryOutput } from './support/ferry-cli.js';
import { createTempProject, csvToSqliteProject, contactsPipeline, type TempProject } from './support/temp-project.js';
import { contactsCsv, fakeContacts } from './support/fake-contacts.js';
import { positionOf } from './support/text-position.js';

/** Each class of configuration error, as `ferry validate` reports it: file:line:column, what is wrong, a hint. */
const BROKEN: Readonly<Record<string, { text: string; at: string; says: RegExp }>> = {
  'syntax.yaml': {
    text: 'name: syntax\nfrom: { connection: source, stream: records\nto: { connection: warehouse, action: upsert }\n',
    at: '',
    says: /syntax|flow|expected/i,
  },
  'unknown-key.yaml': {
    text: 'name: unknown-key\nfrom: { connection: source, stream: records }\nto: { connection: warehouse, action: upsert }\nwehre: "status = \'lead\'"\n',
    at: 'wehre',
    says: /wehre.*did you mean 'where'/,
  },
  'wrong-type.yaml': {
    text: 'name: wrong-type\nfrom: { connection: source, stream: records }\nto: { connection: warehouse, action: upsert }\nconcurrency: lots\n',
    at: 'lots',
    says: /integer|number/i,
  },
  'unknown-connection.yaml': {
    text: 'name: unknown-connection\nfrom: { connection: sorce, stream: records }\nto: { connection: warehouse, action: upsert }\n',
    at: 'sorce',
    says: /sorce.*did you mean 'source'/,
  },
  'unknown-stream.yaml': {
    text: 'name: unknown-stream\nfrom: { connection: source, stream: record }\nto: { connection: warehouse, action: upsert }\n',
    at: 'record }',
    says: /unknown stream 'record'.*did you mean 'records'/,
  },
  'unknown-action.yaml': {
    text: 'name: unknown-action\nfrom: { connection: source, stream: records }\nto: { connection: warehouse, action: upsrt }\n',
    at: 'upsrt',
    says: /upsrt.*did you mean 'upsert'/,
  },
  'bad-expression.yaml': {
    text: 'name: bad-expression\nfrom: { connection: source, stream: records }\nwhere: "status = = \'lead\'"\nto: { connection: warehouse, action: upsert }\n',
    at: "= 'lead'",
    says: /expression|where/i,
  },
  'bad-convert.yaml': {
    text: 'name: bad-convert\nfrom: { connection: source, stream: records }\nto: { connection: warehouse, action: upsert }\nmap:\n  phone: { from: phone, convert: phone-e146 }\n',
    at: 'phone: {',
    says: /phone-e146.*did you mean 'phone-e164'/,
  },
};

describe('ferry validate (child process)', () => {
  let project: TempProject;
  beforeAll(() => {
    project = createTempProject({
      'ferry.yaml': csvToSqliteProject(),
      'data/contacts.csv': contactsCsv(fakeContacts(20)),
      'pipelines/contacts.yaml': contactsPipeline('contacts'),
      'other/orders.yaml': contactsPipeline('orders'),
    });
  });
  afterAll(() => project.remove());

  it('prints ok for the project and each pipeline and exits 0', async () => {
    // Read-only commands: one process each, at the same time.
    const [out, json] = await Promise.all([ferry(['validate'], { cwd: project.dir }), ferry(['validate', '--json', 'other/orders.yaml'], { cwd: project.dir })]);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('ok     ferry.yaml');
    expect(out.stdout).toContain('ok     pipelines/contacts.yaml');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; files: { file: string; ok: boolean }[] };
    expect(parsed.ok).toBe(true);
    expect(parsed.files.map((f) => f.ok)).toEqual([true, true]);
    expect(parsed.files[1]?.file).toBe(project.path('other/orders.yaml'));
  });

  describe('every error class names file:line:column, says what is wrong, and exits 2', () => {
    let out: FerryOutput;
    beforeAll(async () => {
      for (const [file, broken] of Object.entries(BROKEN)) project.write(`broken/${file}`, broken.text);
      // One process validates them all: each file gets its own verdict.
      out = await ferry(['validate', ...Object.keys(BROKEN).map((file) => `broken/${file}`)], { cwd: project.dir });
    });

    it('exits 2 and still checks every file', () => {
      expect(out.code, out.stdout + out.stderr).toBe(2);
      expect(out.stdout).toContain('ok     ferry.yaml');
      expect(out.stdout.split('\n').filter((line) => line.startsWith('error')).length).toBeGreaterThanOrEqual(Object.keys(BROKEN).length);
    });

    for (const [file, broken] of Object.entries(BROKEN)) {
      it(file.replace('.yaml', ''), () => {
        const lines = out.stdout.split('\n');
        const index = lines.findIndex((line) => line.startsWith(`error  broken/${file}:`));
        expect(index, out.stdout).toBeGreaterThanOrEqual(0);
        const where = broken.at === '' ? '\\d+:\\d+' : positionOf(broken.text, broken.at);
        expect(lines[index]).toMatch(new RegExp(`^error  broken/${file.replace('.', '\\.')}:${where}: `));
        expect(lines[index]).toMatch(broken.says);
        expect(lines[index + 1]).toMatch(/^ {7}hint: \S/);
      });
    }
  });

  it('reports an unknown connector and a missing variable in ferry.yaml, and a project-less directory', async () => {
    // Three directories, each with processes of its own: checked at the same time.
    await Promise.all([
      (async () => {
        const bad = createTempProject({
          'ferry.yaml': 'connections:\n  crm:\n    connector: csvv\n    config: { path: x.csv }\n',
        });
        try {
          const out = await ferry(['validate'], { cwd: bad.dir });
          expect(out.code).toBe(2);
          expect(out.stdout).toMatch(/ferry\.yaml:3:16: .*csvv.*did you mean 'csv'/);

          bad.write('ferry.yaml', 'connections:\n  crm:\n    connector: csv\n    config: { path: "${FERRY_E2E_UNSET_VARIABLE}" }\n');
          const env = await ferry(['validate'], { cwd: bad.dir });
          expect(env.code).toBe(2);
          expect(env.stdout).toMatch(/ferry\.yaml:4:\d+: .*FERRY_E2E_UNSET_VARIABLE/);
        } finally {
          bad.remove();
        }
      })(),
      (async () => {
        const fromEnvFile = createTempProject({
          'ferry.yaml': 'connections:\n  crm:\n    connector: csv\n    config: { path: "${FERRY_E2E_FROM_DOTENV}" }\n',
          '.env': 'FERRY_E2E_FROM_DOTENV=data/x.csv\n',
        });
        try {
          const ok = await ferry(['validate'], { cwd: fromEnvFile.dir });
          expect(ok.code, ok.stdout).toBe(0);
        } finally {
          fromEnvFile.remove();
        }
      })(),
      (async () => {
        const nowhere = createTempProject({});
        try {
          const out = await ferry(['status'], { cwd: nowhere.dir });
          expect(out.code).toBe(2);
          expect(out.stderr).toMatch(/^error: no ferry\.yaml in .* or any parent directory\nhint: .*--project/);
        } finally {
          nowhere.remove();
        }
      })(),
    ]);
  });
});
