import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './support/ferry-cli.js';
import { killAndResume } from './support/crash-loop.js';
import { bulkProjectFiles, createTempProject, type TempProject } from './support/temp-project.js';
import { contactsCsv, fakeContacts } from './support/fake-contacts.js';
import { checkpointOffset, idsBefore, readCheckpoint, recordOffsets } from './support/checkpoint-probe.js';
import { warehouseRows } from './support/warehouse.js';

const RECORDS = 50_000;
const KILLS = 4;

/**
 * The crash test: a 50,000-record csv → sqlite run is SIGKILLed at random moments after it has started
 * committing, and resumed each time. Every kill leaves a checkpoint that never passes an unwritten record; at the
 * end every record is in the warehouse exactly once and the checkpoint is at the end of the file.
 * (test/campaigns/crash-campaign.ts runs a longer variant.)
 */
describe('SIGKILL mid-run, resume (child process)', () => {
  const contacts = fakeContacts(RECORDS, 11);
  const csv = contactsCsv(contacts);
  const offsets = recordOffsets(csv, contacts);
  let project: TempProject;

  beforeAll(() => {
    project = createTempProject(bulkProjectFiles(csv, { pageSize: 250, batchSize: 250 }));
  });
  afterAll(() => project.remove());

  it(`survives ${KILLS} SIGKILLs and ends with every record exactly once`, async () => {
    const storeFile = project.path('state/ferry.db');
    const warehouseFile = project.path('warehouse.db');
    let lastOffset = 0;
    const kills = await killAndResume({
      projectDir: project.dir,
      storeFile,
      pipeline: 'bulk',
      sourceBytes: Buffer.byteLength(csv),
      kills: KILLS,
      maxDelayMs: 120,
      afterKill(offset) {
        expect(offset).toBeGreaterThan(lastOffset);
        lastOffset = offset;
        // The checkpoint never passes a record that is not in the warehouse.
        const written = new Set(warehouseRows(warehouseFile).map((r) => String(r['id'])));
        expect(idsBefore(offset, offsets, contacts).filter((id) => !written.has(id))).toEqual([]);
      },
    });
    expect(kills).toBe(KILLS);

    const last = await ferry(['run', 'bulk', '--json'], { cwd: project.dir, timeoutMs: 90_000 });
    expect(last.code, last.stderr).toBe(0);
    const rows = warehouseRows(warehouseFile);
    expect(rows).toHaveLength(RECORDS);
    expect(new Set(rows.map((r) => r['id'])).size).toBe(RECORDS);
    expect(rows.map((r) => r['id'])).toEqual(contacts.map((c) => c.id));
    const byId = new Map(contacts.map((c) => [c.id, c]));
    for (const row of rows) expect(row['status']).toBe(byId.get(String(row['id']))?.status);
    expect(checkpointOffset(readCheckpoint(storeFile, 'bulk'))).toBe(Buffer.byteLength(csv));
    const status = JSON.parse((await ferry(['status', 'bulk', '--json', '--limit', '20'], { cwd: project.dir })).stdout) as {
      runs: { status: string }[];
      openDeadLetters: Record<string, number>;
    };
    // Killed runs never recorded an end; the last one did.
    expect(status.runs[0]?.status).toBe('succeeded');
    expect(status.runs.filter((r) => r.status === 'running')).toHaveLength(KILLS);
    expect(status.openDeadLetters).toEqual({});
  }, 120_000);
});
