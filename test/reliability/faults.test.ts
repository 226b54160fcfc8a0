import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from '../support/ferry-cli.js';
import type { TempProject } from '../support/temp-project.js';
import { createSyncProject, startSandboxes, syncEnv, SYNC_PIPELINE, type SyncSandboxes } from './support/sync-project.js';
import { completenessViolations, readSyncFacts, safetyViolations } from './support/sync-check.js';

const TIME_SCALE = 20;
const FAULTS = { rateLimited: 0.1, serverError: 0.1, timeout: 0.1, reset: 0.1, malformed: 0.1 };

interface RunJson {
  runs: { status: string; exitCode: number; summary: Record<string, number>; error: unknown }[];
}

/**
 * Both sandboxes inject 10% each of 429, 5xx, timeouts, connection resets and malformed JSON. Every record lands
 * or sits in the dead-letter table with its reason; once the faults stop, `ferry dlq replay` lands the rest; the
 * exit code and summary say what happened; nothing is duplicated or lost.
 */
describe('a sync under injected faults', () => {
  let sandboxes: SyncSandboxes;
  let project: TempProject;
  let env: Record<string, string>;

  beforeAll(async () => {
    sandboxes = await startSandboxes({ size: 80, timeScale: TIME_SCALE, faults: FAULTS });
    project = createSyncProject({ ghlAuth: 'bearer', concurrency: 8, batchSize: 10 });
    env = syncEnv(sandboxes);
  });
  afterAll(async () => {
    project.remove();
    await sandboxes.close();
  });

  it('lands or dead-letters every record, then replays the dead letters once the faults are gone', async () => {
    const storeFile = project.path('state/ferry.db');
    const run = await ferry(['run', SYNC_PIPELINE, '--json', '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 150_000 });
    const result = (JSON.parse(run.stdout) as RunJson).runs[0];
    const ghlStats = sandboxes.ghl.instance.stats() as { faults: Record<string, number> };
    const salesmsgStats = sandboxes.salesmsg.instance.stats() as { faults: Record<string, number> };
    const injected = Object.values(ghlStats.faults).reduce((a, b) => a + b, 0) + Object.values(salesmsgStats.faults).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThan(20);
    expect(safetyViolations(await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, storeFile))).toEqual([]);
    // Exit code and summary agree: 0 with nothing dead-lettered, 1 (partial) with some, 3 when the run stopped.
    const dead = result?.summary['deadLettered'] ?? 0;
    expect(run.code, run.stderr).toBe(result?.status === 'failed' ? 3 : dead > 0 ? 1 : 0);
    expect(result?.summary['retries']).toBeGreaterThan(0);
    const letters = JSON.parse((await ferry(['dlq', 'list', '--json'], { cwd: project.dir, env })).stdout) as unknown;
    const rows = (Array.isArray(letters) ? letters : ((letters as { deadLetters?: unknown[] }).deadLetters ?? [])) as { error?: { code?: string; message?: string } }[];
    expect(rows.length).toBe(dead);
    for (const row of rows) expect(row.error?.message ?? '').not.toBe('');

    sandboxes.ghl.instance.setFaults({});
    sandboxes.salesmsg.instance.setFaults({});
    if (dead > 0) {
      const replay = await ferry(['dlq', 'replay', SYNC_PIPELINE, '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 90_000 });
      expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    }
    // A failed run stopped at its checkpoint: the next run finishes the source.
    const rest = await ferry(['run', SYNC_PIPELINE, '--json', '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 90_000 });
    expect(rest.code, rest.stderr).toBe(0);
    const facts = await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, storeFile);
    expect(completenessViolations(facts)).toEqual([]);
    console.log(`faults injected ${injected}; first run ${result?.status} exit ${run.code}, dead-lettered ${dead}; ${JSON.stringify(result?.summary)}`);
  }, 240_000);
});
