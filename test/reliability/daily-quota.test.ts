import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAILY_LIMIT, type GhlSandboxInstance } from '@ferry/connector-ghl/sandbox';
import { ferry } from '../support/ferry-cli.js';
import type { TempProject } from '../support/temp-project.js';
import { createSyncProject, startSandboxes, syncEnv, SYNC_PIPELINE, type SyncSandboxes } from './support/sync-project.js';
import { completenessViolations, readSyncFacts, safetyViolations } from './support/sync-check.js';

const TIME_SCALE = 20;
/** Requests per day the GHL location allows: a few records' worth, so the run spends it part way. */
const DAILY_BUDGET = 40;

interface RunJson {
  runs: { status: string; exitCode: number; error: { code: string; message: string; hint?: string } | null }[];
}

/**
 * A spent daily quota is systemic: the run stops at its last checkpoint with exit 3, says the quota of the location
 * is spent and what to do; each new day's budget then carries the sync further, never twice for one record.
 */
describe('a spent daily quota stops the run cleanly', () => {
  let sandboxes: SyncSandboxes;
  let project: TempProject;
  let env: Record<string, string>;

  beforeAll(async () => {
    sandboxes = await startSandboxes({ size: 30, timeScale: TIME_SCALE, ghlExtra: { dailyLimit: DAILY_BUDGET } });
    env = syncEnv(sandboxes);
    project = createSyncProject({ ghlAuth: 'bearer', batchSize: 5 });
  });
  afterAll(async () => {
    project.remove();
    await sandboxes.close();
  });

  const run = (): ReturnType<typeof ferry> =>
    ferry(['run', SYNC_PIPELINE, '--json', '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 60_000 });
  const facts = (): ReturnType<typeof readSyncFacts> => readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, project.path('state/ferry.db'));

  it('exit 3 with the quota, its reset and the fix; nothing written twice; new days finish the sync', async () => {
    const out = await run();
    expect(out.code, out.stdout + out.stderr).toBe(3);
    const stopped = (JSON.parse(out.stdout) as RunJson).runs[0];
    expect(stopped?.status).toBe('failed');
    expect(stopped?.error?.code).toBe('HTTP_RATE_LIMITED');
    expect(stopped?.error?.message).toMatch(/daily API quota of account 'sbxLocation000000001' is spent/);
    expect(stopped?.error?.hint).toMatch(/wait for the daily API quota .* to reset .*or lower the volume of the pipeline/);
    expect(out.stderr).not.toMatch(/^\s+at /m);
    const partial = await facts();
    expect(safetyViolations(partial)).toEqual([]);
    // Stopped part way: some records landed, not all.
    expect(partial.links.size).toBeGreaterThan(0);
    expect(completenessViolations(partial)).not.toEqual([]);

    // Each new sandbox day gives the same small budget: the run resumes from its checkpoint until it is done.
    let last = out;
    for (let day = 1; day <= 20 && last.code !== 0; day++) {
      (sandboxes.ghl.instance as GhlSandboxInstance).advanceClock(DAILY_LIMIT.perMs);
      last = await run();
      expect([0, 3], last.stdout + last.stderr).toContain(last.code);
      expect(last.stderr).not.toMatch(/^\s+at /m);
      expect(safetyViolations(await facts())).toEqual([]);
    }
    expect(last.code, last.stdout + last.stderr).toBe(0);
    expect(completenessViolations(await facts())).toEqual([]);
  }, 120_000);
});
