import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './support/ferry-cli.js';
import { createTempProject, csvToSqliteProject, contactsPipeline, type TempProject } from './support/temp-project.js';
import { contactsCsv, fakeContacts } from './support/fake-contacts.js';
import { warehouseRows } from './support/warehouse.js';

interface RunJson {
  runs: { pipeline: string; runId: number | null; status: string; exitCode: number; summary: Record<string, number> }[];
}

/** One project driven through the CLI as a user would: plan, run, re-run, full re-run, change, status, catalog. */
describe('ferry run / plan / status / catalog (child process, csv → sqlite)', () => {
  const contacts = fakeContacts(300);
  const eligible = contacts.filter((c) => c.status !== 'unsubscribed');
  let project: TempProject;
  const warehouse = (): ReturnType<typeof warehouseRows> => warehouseRows(project.path('warehouse.db'));
  const run = (args: string[]) => ferry(args, { cwd: project.dir });

  beforeAll(() => {
    project = createTempProject({
      'ferry.yaml': csvToSqliteProject(),
      'data/contacts.csv': contactsCsv(contacts),
      'pipelines/contacts.yaml': contactsPipeline('contacts-to-warehouse'),
    });
  });
  afterAll(() => project.remove());

  it('plans creates for every eligible record and writes nothing', async () => {
    const out = await run(['plan', 'contacts-to-warehouse']);
    expect(out.code, out.stderr).toBe(0);
    const creates = out.stdout.split('\n').filter((line) => line.startsWith('  + create'));
    expect(creates).toHaveLength(eligible.length);
    expect(out.stdout).toContain(`${eligible.length} to create`);
    expect(out.stdout).toContain(`${contacts.length - eligible.length} skipped`);
    expect(out.stdout).toContain('nothing was written');
    expect(warehouse()).toEqual([]);
    const status = JSON.parse((await run(['status', '--json'])).stdout) as { runs: unknown[]; checkpoints: unknown[] };
    expect(status.runs).toEqual([]);
    expect(status.checkpoints).toEqual([]);
  });

  it('runs csv → sqlite, prints the summary, and the warehouse holds the mapped rows', async () => {
    const out = await run(['run', 'contacts-to-warehouse']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/contacts-to-warehouse: succeeded — run #\d+/);
    expect(out.stdout).toContain(`read ${contacts.length} · created ${eligible.length} · updated 0 · unchanged 0`);
    expect(out.stdout).toContain(`skipped ${contacts.length - eligible.length} · dead-lettered 0`);
    expect(out.stdout).toMatch(/calls 0 · 429s 0 · retries 0 · rate-limit utilization 0%/);
    expect(out.stderr).toBe('');

    const rows = warehouse();
    expect(rows.map((r) => r['id'])).toEqual(eligible.map((c) => c.id));
    const first = eligible[0];
    const row = rows[0];
    expect(row?.['name']).toBe(`${first?.first_name.trim()} ${first?.last_name.trim()}`);
    for (const r of rows) {
      if (r['phone'] !== null) expect(r['phone']).toMatch(/^\+\d{10,15}$/);
      const email = r['email'];
      if (typeof email === 'string') expect(email).toBe(email.toLowerCase());
      expect(r['source']).toBe('e2e');
    }
  });

  it('re-runs without writing: nothing new incrementally, everything unchanged with --full', async () => {
    const again = await run(['run', 'contacts-to-warehouse']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('read 0 · created 0 · updated 0 · unchanged 0');

    const full = await run(['run', 'contacts-to-warehouse', '--full', '--json']);
    expect(full.code).toBe(0);
    const parsed = JSON.parse(full.stdout) as RunJson;
    expect(parsed.runs).toHaveLength(1);
    expect(parsed.runs[0]?.summary).toMatchObject({
      read: contacts.length,
      created: 0,
      updated: 0,
      unchanged: eligible.length,
      skipped: contacts.length - eligible.length,
      deadLettered: 0,
    });
    expect(warehouse()).toHaveLength(eligible.length);
  });

  it('plans and applies a field-level change', async () => {
    const target = eligible[3];
    if (target === undefined) throw new Error('no contact');
    const csvFile = project.path('data/contacts.csv');
    writeFileSync(csvFile, readFileSync(csvFile, 'utf8').replace(`${target.id},${target.first_name},`, `${target.id},Zed,`));

    const plan = await run(['plan', 'contacts-to-warehouse', '--full']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`  ~ update    ${target.id}`);
    expect(plan.stdout).toMatch(new RegExp(`name: ".*" → "Zed ${target.last_name.trim()}"`));
    expect(plan.stdout).toContain('1 to update');

    const applied = JSON.parse((await run(['run', 'contacts-to-warehouse', '--full', '--json'])).stdout) as RunJson;
    expect(applied.runs[0]?.summary).toMatchObject({ created: 0, updated: 1, unchanged: eligible.length - 1 });
    expect(warehouse().find((r) => r['id'] === target.id)?.['name']).toBe(`Zed ${target.last_name.trim()}`);
  });

  it('shows runs, checkpoints and dead letters in status', async () => {
    // Read-only commands: one process each, all at once.
    const [out, jsonOut] = await Promise.all([run(['status']), run(['status', 'contacts-to-warehouse', '--json'])]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/recent runs\n\s+RUN\s+PIPELINE\s+STATUS/);
    expect(out.stdout).toMatch(/contacts-to-warehouse\s+records\s+—/);
    expect(out.stdout).toContain('open dead letters\n  none');
    const json = JSON.parse(jsonOut.stdout) as {
      runs: { status: string }[];
      checkpoints: { pipeline: string; stream: string; state: { offset: number } }[];
    };
    expect(json.runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(json.checkpoints.find((c) => c.stream === 'records')?.state.offset).toBe(readFileSync(project.path('data/contacts.csv')).length);
  });

  it('says which pipeline names exist when one is mistyped (exit 2, nothing run)', async () => {
    // None of them runs anything: one process each, all at once.
    const [out, usage, unknown] = await Promise.all([
      run(['run', 'contacts-to-warehouse', 'contacts-to-warehous']),
      run(['run', 'contacts-to-warehouse', '--limit', 'many']),
      run(['runn']),
    ]);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^error: no pipeline named 'contacts-to-warehous' .* did you mean 'contacts-to-warehouse'\?\nhint: /);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("error: option '--limit <n>' argument 'many' is invalid");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("(Did you mean run?)");
  });

  it('prints the catalog from the connector objects, as text and JSON', async () => {
    // Read-only commands: one process each, all at once.
    const [text, jsonOut, missing, help] = await Promise.all([run(['catalog', 'csv']), run(['catalog', '--json']), run(['catalog', 'csb']), run(['--help'])]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^csv \d+\.\d+\.\d+ — /);
    expect(text.stdout).toMatch(/records\s+id\s+id\s+full, incremental/);
    expect(text.stdout).toMatch(/append\s+—\s+—\s+none/);
    const json = JSON.parse(jsonOut.stdout) as { connectors: { name: string; streams: unknown[]; actions: { name: string }[] }[] };
    expect(json.connectors.map((c) => c.name)).toEqual(expect.arrayContaining(['csv', 'jsonl', 'sqlite']));
    expect(json.connectors.find((c) => c.name === 'sqlite')?.actions.map((a) => a.name)).toEqual(expect.arrayContaining(['upsert', 'delete']));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/error: no connector named 'csb' — did you mean 'csv'\?/);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes:');
    expect(help.stdout).toContain('130');
  });
});
