import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// From the driver itself, so that the workspace type-check covers it.
import type { DemoReport } from '../scripts/demo/main.js';
import { REPO_ROOT } from './support/ferry-cli.js';
import { warehouseCount, warehouseRows } from './support/warehouse.js';

interface DriverOutput {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runDriver(args: readonly string[]): Promise<DriverOutput> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the demo driver (scripts/demo/main.ts) on the sandboxes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-demo-'));
  const state = join(dir, 'state');
  const reportFile = join(dir, 'report.json');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every flow, prints the counts per flow, fills the warehouse and creates the customers in GHL', { timeout: 120_000 }, async () => {
    const out = await runDriver(['--state', state, '--report', reportFile]);
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as DemoReport;

    // Counts per flow, printed: each manual run and the run the webhook started in `ferry serve`.
    expect(out.stdout).toContain('counts per flow:');
    for (const pipeline of ['sample-contacts-to-warehouse', 'salesmsg-leads-to-ghl', 'ghl-contact-enrich', 'ghl-bulk-tag']) {
      const flow = report.flows.find((f) => f.pipeline === pipeline && f.trigger === 'manual');
      expect(flow, pipeline).toMatchObject({ status: 'succeeded', summary: { deadLettered: 0 } });
      expect(out.stdout).toMatch(new RegExp(`^ {2}${pipeline} +succeeded read ${flow?.summary['read'] ?? -1} · created ${flow?.summary['created'] ?? -1} `, 'm'));
    }
    expect(report.flows.find((f) => f.pipeline === 'sample-contacts-to-warehouse')?.summary).toMatchObject({ read: 400, created: 336, skipped: 64 });
    const webhookRun = report.flows.find((f) => f.pipeline === 'salesmsg-leads-to-ghl' && f.trigger === 'webhook:salesmsg/contact.updated');
    expect(webhookRun).toMatchObject({ status: 'succeeded' });
    expect((webhookRun?.summary['created'] ?? 0) + (webhookRun?.summary['updated'] ?? 0)).toBe(1);

    // The warehouse: the CSV's contacts plus the GHL contacts with their related records.
    expect(report.warehouseFile).toBe(join(state, 'warehouse.db'));
    const sources = new Set(warehouseRows(report.warehouseFile).map((row) => row['source']));
    expect(sources).toContain('sample-csv');
    expect(sources).toContain('Salesmsg');
    for (const table of ['contacts', 'tasks', 'contact_tags']) expect(warehouseCount(report.warehouseFile, table), table).toBeGreaterThan(0);
    expect(report.warehouse['contacts']).toBe(warehouseCount(report.warehouseFile, 'contacts'));

    // GHL: every customer written from Salesmsg is tagged and has its follow-up task, the live one included.
    expect(report.ghl.fromSalesmsg.length).toBeGreaterThanOrEqual(2);
    for (const contact of report.ghl.fromSalesmsg) {
      expect(contact.tags).toContain('salesmsg-customer');
      expect(contact.tasks.filter((title) => title.startsWith('Follow up with'))).toHaveLength(1);
    }
    expect(report.live.webhookStatus).toBe(202);
    expect(report.ghl.fromSalesmsg.map((c) => c.id)).toContain(report.live.ghlContact.id);
    expect(out.stdout).toContain(report.live.ghlContact.name);

    // ghl-bulk-tag gave every contact with a phone its standard tag.
    expect(report.flows.find((f) => f.pipeline === 'ghl-bulk-tag')?.summary['updated']).toBeGreaterThan(0);
  });
});
