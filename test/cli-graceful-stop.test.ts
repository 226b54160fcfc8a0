import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry, spawnFerry, waitFor } from './support/ferry-cli.js';
import { bulkProjectFiles, createTempProject, type TempProject } from './support/temp-project.js';
import { contactsCsv, fakeContacts } from './support/fake-contacts.js';
import { checkpointOffset, idsBefore, readCheckpoint, recordOffsets } from './support/checkpoint-probe.js';
import { warehouseRows } from './support/warehouse.js';

interface StatusJson {
  runs: { id: number; status: string; summary?: { read: number; created: number; unchanged: number } }[];
}

/** SIGTERM mid-run: in-flight records finish and are committed, the process exits 130, and a rerun resumes. */
describe('graceful stop (child process)', () => {
  const contacts = fakeContacts(30_000, 7);
  const csv = contactsCsv(contacts);
  const offsets = recordOffsets(csv, contacts);
  let project: TempProject;

  beforeAll(() => {
    project = createTempProject(bulkProjectFiles(csv, { pageSize: 200, batchSize: 100 }));
  });
  afterAll(() => project.remove());

  it('exits 130 after SIGTERM with a checkpoint that covers exactly committed work, then resumes to the end', async () => {
    const storeFile = project.path('state/ferry.db');
    const running = spawnFerry(['run', 'bulk'], { cwd: project.dir });
    await waitFor(() => (checkpointOffset(readCheckpoint(storeFile, 'bulk')) > 0 ? true : undefined), 'a first checkpoint');
    running.child.kill('SIGTERM');
    const stopped = await running.exited;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain('SIGTERM: stopping');
    expect(stopped.stdout).toContain('bulk: stopped');
    expect(stopped.stdout).toContain('run the same command again to resume');

    const offset = checkpointOffset(readCheckpoint(storeFile, 'bulk'));
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThan(Buffer.byteLength(csv));
    const written = new Set(warehouseRows(project.path('warehouse.db')).map((r) => String(r['id'])));
    // Everything the checkpoint covers is in the warehouse; what is beyond it was in flight and finished.
    for (const id of idsBefore(offset, offsets, contacts)) expect(written.has(id), id).toBe(true);
    const afterStop = JSON.parse((await ferry(['status', '--json'], { cwd: project.dir })).stdout) as StatusJson;
    expect(afterStop.runs[0]?.status).toBe('stopped');
    expect(afterStop.runs[0]?.summary?.created).toBe(written.size);

    const resumed = await ferry(['run', 'bulk', '--json'], { cwd: project.dir });
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = (JSON.parse(resumed.stdout) as { runs: { summary: { read: number; created: number; unchanged: number } }[] }).runs[0]?.summary;
    expect(summary?.read).toBe(contacts.length - idsBefore(offset, offsets, contacts).length);
    expect((summary?.created ?? 0) + written.size).toBe(contacts.length);
    const rows = warehouseRows(project.path('warehouse.db'));
    expect(rows).toHaveLength(contacts.length);
    expect(checkpointOffset(readCheckpoint(storeFile, 'bulk'))).toBe(Buffer.byteLength(csv));
  });

  it('keeps stdout to one JSON document in --json mode when stopped by SIGINT', async () => {
    const again = createTempProject(bulkProjectFiles(csv, { pageSize: 200, batchSize: 100 }));
    try {
      const storeFile = again.path('state/ferry.db');
      const running = spawnFerry(['run', 'bulk', '--json'], { cwd: again.dir });
      await waitFor(() => (checkpointOffset(readCheckpoint(storeFile, 'bulk')) > 0 ? true : undefined), 'a first checkpoint');
      running.child.kill('SIGINT');
      const out = await running.exited;
      expect(out.code).toBe(130);
      const parsed = JSON.parse(out.stdout) as { runs: { status: string; exitCode: number }[] };
      expect(parsed.runs).toEqual([expect.objectContaining({ status: 'stopped', exitCode: 130 })]);
      expect(out.stderr).toContain('SIGINT: stopping');
    } finally {
      again.remove();
    }
  });
});
