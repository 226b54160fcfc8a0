import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openSqliteStore, serveSandbox, type CheckpointRow, type ServedSandbox } from '@ferry/core';
import { ghlSandbox, sandboxAgencyToken, sandboxTokens, SANDBOX_APP_ID, SANDBOX_COMPANY_ID } from '@ferry/connector-ghl/sandbox';
import { ferry } from './support/ferry-cli.js';
import { createTempProject, type TempProject } from './support/temp-project.js';

const TIME_SCALE = 20;
const SIZE = 24;
const LOCATIONS = [1, 2, 3, 4, 5].map((n) => `sbxLocation00000000${n}`);
/** The app is not installed here: discovery must leave it out. */
const UNINSTALLED = LOCATIONS[4] ?? '';

interface RunEntry {
  pipeline: string;
  partition?: string;
  partitionLabel?: string | null;
  runId: number | null;
  status: string;
  exitCode: number;
  summary: Record<string, number>;
  error: { code: string; message: string; hint?: string } | null;
}

interface RunJson {
  runs: RunEntry[];
  notStarted: string[];
  totals?: { pipeline: string; partitions: number; status: string; summary: Record<string, number>; notStarted: string[] }[];
}

interface StatusJson {
  runs: { id: number; pipeline: string; partition: string; status: string }[];
  checkpoints: { pipeline: string; stream: string; partition: string; state: Record<string, unknown>; updatedAt: string }[];
}

interface SandboxStats {
  oauth: { locationToken: number };
  byOperation: Record<string, number>;
  locations: Record<string, { admitted: number }>;
}

function partitionList(): string {
  return LOCATIONS.map((id) => `      - { id: ${id}, config: { locationId: ${id} }, auth: { token: ${sandboxTokens(id).full} } }`).join('\n');
}

/**
 * One pipeline over many GHL locations, driven by the CLI against the GHL sandbox: a connection that lists its
 * locations (each its own token), and an agency connection that discovers them with an agency token.
 */
// Several CLI processes per test: generous time on a shared, busy machine.
describe('partitions: one pipeline over many GHL locations (child processes, GHL sandbox, SQLite warehouse)', { timeout: 180_000 }, () => {
  let sandbox: ServedSandbox;
  let project: TempProject;
  const cli = (args: string[]) => ferry(args, { cwd: project.dir, env: { GHL_SANDBOX_URL: sandbox.url, GHL_AGENCY_TOKEN: sandboxAgencyToken() } });
  const run = (args: string[]) => cli([...args, '--time-scale', String(TIME_SCALE)]);
  const runJson = async (args: string[]): Promise<{ code: number | null; json: RunJson; stderr: string }> => {
    const out = await run(['--json', ...args]);
    return { code: out.code, json: JSON.parse(out.stdout) as RunJson, stderr: out.stderr };
  };
  const status = async (): Promise<StatusJson> => JSON.parse((await cli(['status', '--json', '--limit', '100'])).stdout) as StatusJson;
  const warehouse = (table: string): { id: string; locationId: string; email: string | null }[] => {
    const db = new Database(project.path('warehouse.db'), { readonly: true });
    try {
      return db.prepare(`SELECT id, locationId, email FROM ${table} ORDER BY id`).all() as { id: string; locationId: string; email: string | null }[];
    } finally {
      db.close();
    }
  };
  /** The pipeline's checkpoints, read from the store file. */
  const checkpoints = (): CheckpointRow[] => {
    const store = openSqliteStore(project.path('state/ferry.db'));
    try {
      return store.listCheckpoints('location-contacts');
    } finally {
      store.close();
    }
  };
  const stats = async (): Promise<SandboxStats> => (await (await fetch(`${sandbox.url}/__sandbox/stats`)).json()) as SandboxStats;

  beforeAll(async () => {
    sandbox = await serveSandbox(ghlSandbox, {
      host: '127.0.0.1',
      port: 0,
      seed: 7,
      size: SIZE,
      timeScale: TIME_SCALE,
      extra: { locations: LOCATIONS, uninstalledLocations: [UNINSTALLED] },
    });
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  crm:
    connector: ghl
    config: { baseUrl: "\${GHL_SANDBOX_URL}", searchPageLimit: 10 }
    partitions:
${partitionList()}
  agency:
    connector: ghl
    config: { baseUrl: "\${GHL_SANDBOX_URL}", companyId: ${SANDBOX_COMPANY_ID}, appId: ${SANDBOX_APP_ID}, searchPageLimit: 10 }
    auth: { token: "\${GHL_AGENCY_TOKEN}" }
    partitions: discover
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`,
      'pipelines/contacts.yaml': `name: location-contacts
from: { connection: crm, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map:
  id: id
  locationId: locationId
  email: email
`,
      'pipelines/agency.yaml': `name: agency-contacts
from: { connection: agency, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: agency_contacts } }
map:
  id: id
  locationId: locationId
  email: email
`,
    });
  });
  afterAll(async () => {
    project.remove();
    await sandbox.close();
  });

  it('runs every partition with its own checkpoint and run; every contact lands once, in its location', async () => {
    const { code, json, stderr } = await runJson(['run', 'location-contacts', '--partitions-concurrency', '3']);
    expect(code, stderr).toBe(0);
    expect(json.runs.map((r) => r.partition ?? '').sort((a, b) => a.localeCompare(b))).toEqual(LOCATIONS);
    expect(json.runs.every((r) => r.status === 'succeeded' && r.summary['read'] === SIZE && r.summary['created'] === SIZE)).toBe(true);
    expect(json.totals).toEqual([expect.objectContaining({ pipeline: 'location-contacts', partitions: 5, status: 'succeeded', notStarted: [] })]);
    expect(json.totals?.[0]?.summary).toMatchObject({ read: 5 * SIZE, created: 5 * SIZE });

    const rows = warehouse('contacts');
    expect(rows).toHaveLength(5 * SIZE);
    expect(new Set(rows.map((r) => r.id)).size).toBe(5 * SIZE);
    for (const id of LOCATIONS) expect(rows.filter((r) => r.locationId === id)).toHaveLength(SIZE);

    const { runs, checkpoints } = await status();
    const mine = checkpoints.filter((c) => c.pipeline === 'location-contacts');
    expect(mine.map((c) => [c.stream, c.partition])).toEqual(LOCATIONS.map((id) => ['contacts', id]));
    expect(runs.filter((r) => r.pipeline === 'location-contacts').map((r) => r.partition).sort()).toEqual(LOCATIONS);

    const text = await cli(['status', 'location-contacts', '--partition', LOCATIONS[1] ?? '']);
    expect(text.stdout).toMatch(/RUN\s+PIPELINE\s+PARTITION\s+STATUS/);
    expect(text.stdout).toContain(`location-contacts  ${LOCATIONS[1] ?? ''}`);
    expect(text.stdout).not.toContain(LOCATIONS[0] ?? '');
  });

  it('--partition runs one partition: an incremental rerun picks up its change and leaves the others untouched', async () => {
    const target = LOCATIONS[1] ?? '';
    const before = checkpoints();
    const contact = warehouse('contacts').find((r) => r.locationId === target);
    const changed = await fetch(`${sandbox.url}/contacts/${contact?.id ?? ''}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${sandboxTokens(target).full}`, version: '2021-07-28', 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'moved.on@example.com' }),
    });
    expect(changed.status).toBe(200);

    const { code, json, stderr } = await runJson(['run', 'location-contacts', '--partition', target]);
    expect(code, stderr).toBe(0);
    expect(json.runs.map((r) => [r.partition, r.status])).toEqual([[target, 'succeeded']]);
    expect(json.runs[0]?.summary['updated']).toBe(1);
    expect(warehouse('contacts').find((r) => r.id === contact?.id)?.email).toBe('moved.on@example.com');

    const after = checkpoints();
    for (const checkpoint of after) {
      const earlier = before.find((c) => c.partition === checkpoint.partition);
      if (checkpoint.partition === target) expect(checkpoint.state).not.toEqual(earlier?.state);
      else expect(checkpoint).toEqual(earlier);
    }
  });

  it('names the known partitions when --partition has a typo, and runs nothing', async () => {
    const out = await run(['run', 'location-contacts', '--partition', 'sbxLocation0000000002']);
    expect(out.code).toBe(2);
    expect(out.stdout).toMatch(/has no partition 'sbxLocation0000000002'.*did you mean 'sbxLocation000000002'/);
    const plan = await run(['plan', 'location-contacts', '--partition', 'nowhere']);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toContain("has no partition 'nowhere'");
  });

  it('plans per partition: each partition\'s changes under its name, and the total', async () => {
    const out = await run(['plan', 'location-contacts', '--full']);
    expect(out.code, out.stderr).toBe(0);
    for (const id of LOCATIONS) expect(out.stdout).toContain(`partition ${id}`);
    expect(out.stdout).toContain(`all 5 partitions: ${5 * SIZE} read`);
    const json = JSON.parse((await run(['--json', 'plan', 'location-contacts', '--partition', LOCATIONS[0] ?? ''])).stdout) as {
      partitions: { partition: string; counts: Record<string, number> }[];
    };
    expect(json.partitions.map((p) => p.partition)).toEqual([LOCATIONS[0]]);
  });

  it('discovers the installed locations with the agency token and reads each with a location token minted once', async () => {
    const grantsBefore = (await stats()).oauth.locationToken;
    const { code, json, stderr } = await runJson(['run', 'agency-contacts']);
    expect(code, stderr).toBe(0);
    const installed = LOCATIONS.filter((id) => id !== UNINSTALLED);
    expect(json.runs.map((r) => r.partition ?? '').sort((a, b) => a.localeCompare(b))).toEqual(installed);
    expect(json.runs.every((r) => r.partitionLabel?.startsWith('Sandbox location') === true)).toBe(true);
    const calls = json.runs.reduce((sum, r) => sum + (r.summary['apiCalls'] ?? 0), 0);
    // Several search pages per location, one location token each: tokens are reused, not fetched per call.
    expect(calls).toBeGreaterThanOrEqual(installed.length * 3);
    const after = await stats();
    expect(after.oauth.locationToken - grantsBefore).toBe(installed.length);
    expect(after.byOperation['get-installed-location']).toBeGreaterThanOrEqual(1);

    const rows = warehouse('agency_contacts');
    expect(rows).toHaveLength(installed.length * SIZE);
    expect(new Set(rows.map((r) => r.locationId))).toEqual(new Set(installed));
  });
});
