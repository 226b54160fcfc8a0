import { copyFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxTokens, SANDBOX_LOCATION_ID } from '@ferry/connector-ghl/sandbox';
import { ferry } from '../support/ferry-cli.js';
import type { TempProject } from '../support/temp-project.js';
import { createSyncProject, startSandboxes, syncEnv, SYNC_PIPELINE, type SyncSandboxes } from './support/sync-project.js';
import { connectOauth } from './support/oauth-connect.js';
import { readSyncFacts, safetyViolations } from './support/sync-check.js';

const TIME_SCALE = 20;
const OTHER_LOCATION = 'sbxLocation000000002';

interface RunJson {
  runs: { status: string; exitCode: number; error: { code: string; message: string; hint?: string } | null }[];
}

/**
 * Systemic failures — a refresh token already spent (revoked), a token of another location, a token without the
 * write scope — stop the run at its last checkpoint with exit 3, one clear message and the command that fixes it.
 */
describe('systemic failures stop the run cleanly', () => {
  let sandboxes: SyncSandboxes;
  let project: TempProject;
  let env: Record<string, string>;

  beforeAll(async () => {
    sandboxes = await startSandboxes({ size: 60, timeScale: TIME_SCALE, ghlAccessTokenTtlSeconds: 301, ghlExtra: { locations: [SANDBOX_LOCATION_ID, OTHER_LOCATION] } });
    env = syncEnv(sandboxes);
  });
  afterAll(async () => {
    project.remove();
    await sandboxes.close();
  });

  async function stops(extraEnv: Record<string, string>, expected: RegExp): Promise<void> {
    const out = await ferry(['run', SYNC_PIPELINE, '--json', '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env: { ...env, ...extraEnv }, timeoutMs: 60_000 });
    expect(out.code, out.stdout + out.stderr).toBe(3);
    const run = (JSON.parse(out.stdout) as RunJson).runs[0];
    expect(run?.status).toBe('failed');
    expect(`${run?.error?.code} ${run?.error?.message}`).toMatch(expected);
    expect(run?.error?.hint).toMatch(/`ferry auth ghl[^`]*`|ferry auth/);
    expect(out.stderr).not.toMatch(/^\s+at /m);
    expect(safetyViolations(await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, project.path('state/ferry.db')))).toEqual([]);
  }

  it('a token of another location: exit 3 with the fix', async () => {
    project = createSyncProject({ ghlAuth: 'bearer' });
    await stops({ GHL_TOKEN: sandboxTokens(OTHER_LOCATION).full }, /location|access|AUTH/i);
  });

  it('a token without the write scope: exit 3 naming the scope', async () => {
    await stops({ GHL_TOKEN: sandboxTokens(SANDBOX_LOCATION_ID).readOnly }, /contacts\.write|scope/i);
  });

  it('a revoked (already spent) refresh token: exit 3 at the last checkpoint, `ferry auth ghl` fixes it', async () => {
    project.remove();
    project = createSyncProject({ ghlAuth: 'oauth2', batchSize: 5 });
    expect((await connectOauth('ghl', project.dir, env)).code).toBe(0);
    const store = project.path('state/ferry.db');
    copyFileSync(store, project.path('stale.db'));
    // A run that refreshes (and so spends the stored refresh token) many times.
    const first = await ferry(['run', SYNC_PIPELINE, '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 60_000 });
    expect(first.code, first.stderr).toBe(0);
    // Back to the token pair of before: its refresh token was spent, as if revoked.
    copyFileSync(project.path('stale.db'), store);
    rmSync(`${store}-wal`, { force: true });
    rmSync(`${store}-shm`, { force: true });
    sandboxes.ghl.instance.setFaults({});
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // the stale access token expires (301 s / 20 - 5 min / 20 skew)
    await stops({}, /AUTH_REVOKED|refused|revoked|already used/i);
    expect((await connectOauth('ghl', project.dir, env)).code).toBe(0);
    const again = await ferry(['run', SYNC_PIPELINE, '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
  }, 120_000);
});
