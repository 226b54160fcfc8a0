import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './support/ferry-cli.js';
import { contactsPipeline, createTempProject, type TempProject } from './support/temp-project.js';
import { contactsCsv, fakeContacts } from './support/fake-contacts.js';

interface RunJson {
  runs: { pipeline: string; status: string; summary: Record<string, number> }[];
}

/** Every file under `dir`, for looking for text that must never be written. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** csv → postgres through the CLI as a user runs it: the URL comes from the environment and is never shown. */
describe('ferry run (child process, csv → postgres)', () => {
  const contacts = fakeContacts(120);
  const eligible = contacts.filter((c) => c.status !== 'unsubscribed');
  const schema = `ferry_e2e_${process.pid}_${randomBytes(3).toString('hex')}`;
  // Trust authentication on loopback never asks for it: the password only has to stay out of every output.
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const env = { FERRY_E2E_WAREHOUSE_URL: `postgres://postgres:${password}@127.0.0.1:5432/test` };
  const observer = new Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 });
  let project: TempProject;
  const run = async (args: string[]) => {
    const out = await ferry(args, { cwd: project.dir, env });
    expect(`${out.stdout}${out.stderr}`).not.toContain(password);
    return out;
  };
  const rows = async () => (await observer.query(`SELECT * FROM "${schema}".contacts ORDER BY id`)).rows as Record<string, unknown>[];

  beforeAll(() => {
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  source:
    connector: csv
    config: { path: data/contacts.csv, primaryKey: id }
  warehouse:
    connector: postgres
    config: { url: "\${FERRY_E2E_WAREHOUSE_URL}", schema: ${schema} }
pipelines: [pipelines/*.yaml]
`,
      'data/contacts.csv': contactsCsv(contacts),
      'pipelines/contacts.yaml': contactsPipeline('contacts-to-postgres'),
    });
  });
  afterAll(async () => {
    project.remove();
    await observer.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await observer.end();
  });

  it('runs csv → postgres, and the warehouse holds the mapped rows', async () => {
    const out = await run(['run', 'contacts-to-postgres']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/contacts-to-postgres: succeeded — run #\d+/);
    expect(out.stdout).toContain(`read ${contacts.length} · created ${eligible.length} · updated 0 · unchanged 0`);
    expect(out.stdout).toContain(`skipped ${contacts.length - eligible.length} · dead-lettered 0`);

    const written = await rows();
    expect(written.map((row) => row['id'])).toEqual(eligible.map((c) => c.id).sort());
    const first = eligible.find((c) => c.id === written[0]?.['id']);
    expect(written[0]?.['name']).toBe(`${first?.first_name.trim()} ${first?.last_name.trim()}`);
    for (const row of written) {
      if (row['phone'] !== null) expect(row['phone']).toMatch(/^\+\d{10,15}$/);
      expect(row['source']).toBe('e2e');
      expect(row['status']).not.toBe('unsubscribed');
    }
    const columns = await observer.query('SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position', [schema, 'contacts']);
    // Columns come in the order fields first appear, which depends on which records reach the warehouse first.
    expect(columns.rows.map((column: { column_name: string }) => column.column_name).sort()).toEqual(['email', 'id', 'name', 'phone', 'source', 'status', 'tags']);
    expect(columns.rows[0]).toEqual({ column_name: 'id', data_type: 'text' });
    for (const file of filesUnder(project.dir)) expect(readFileSync(file).includes(password), file).toBe(false);
  });

  it('runs again (full) without changing a row: everything unchanged, no new row versions', async () => {
    const before = (await observer.query(`SELECT id, xmin::text AS version FROM "${schema}".contacts ORDER BY id`)).rows;
    const full = await run(['run', 'contacts-to-postgres', '--full', '--json']);
    expect(full.code, full.stderr).toBe(0);
    const parsed = JSON.parse(full.stdout) as RunJson;
    expect(parsed.runs[0]?.summary).toMatchObject({ read: contacts.length, created: 0, updated: 0, unchanged: eligible.length, deadLettered: 0 });
    const after = (await observer.query(`SELECT id, xmin::text AS version FROM "${schema}".contacts ORDER BY id`)).rows;
    expect(after).toEqual(before);
  });
});
