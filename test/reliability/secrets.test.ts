import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, openTokenVault } from '@ferry/core';
import { ferry, spawnFerry, type FerryOutput } from '../support/ferry-cli.js';
import type { TempProject } from '../support/temp-project.js';
import { createSyncProject, startSandboxes, syncEnv, SYNC_PIPELINE, type SyncSandboxes } from './support/sync-project.js';
import { connectOauth } from './support/oauth-connect.js';
import { fileMode, filesHoldingSecrets, secretsIn } from './support/secret-scan.js';

const TIME_SCALE = 20;
const SALESMSG_MARKER = 'smsgMARKERbearer7f3a9c1e5b2d4f6a8c0e';
const SALESMSG_UNKNOWN = 'smsgMARKERunknown0b1c2d3e4f5a6b7c8d9e';

/**
 * Marker tokens — a Salesmsg bearer token and GHL OAuth access/refresh tokens (rotated during the run) — never
 * appear in the store file (+ -wal, -shm), the trace-level log file, stdout, stderr, --json output or error
 * messages; the store and the key file are 0600.
 */
describe('no credential leaks, anywhere ferry writes', () => {
  let sandboxes: SyncSandboxes;
  let project: TempProject;
  let env: Record<string, string>;
  const outputs: FerryOutput[] = [];
  const secrets = new Set<string>([SALESMSG_MARKER, SALESMSG_UNKNOWN]);

  function vaultTokens(): void {
    const store = openSqliteStore(project.path('state/ferry.db'));
    try {
      const token = openTokenVault({ store, projectDir: project.dir, env: {} }).get('ghl');
      if (token?.accessToken !== undefined) secrets.add(token.accessToken);
      if (token?.refreshToken !== undefined) secrets.add(token.refreshToken);
    } finally {
      store.close();
    }
  }

  beforeAll(async () => {
    sandboxes = await startSandboxes({
      size: 150,
      timeScale: TIME_SCALE,
      ghlAccessTokenTtlSeconds: 302, // refreshed every ~0.1 s of the scaled run: many rotations
      salesmsgExtra: { tokens: [{ token: SALESMSG_MARKER }] },
    });
    project = createSyncProject({ ghlAuth: 'oauth2', log: 'log: { level: trace, file: logs/ferry.log }' });
    env = syncEnv(sandboxes, { SALESMSG_TOKEN: SALESMSG_MARKER });
    const auth = await connectOauth('ghl', project.dir, env);
    outputs.push({ ...auth, signal: null });
    expect(auth.code, auth.stderr).toBe(0);
    vaultTokens();
  });
  afterAll(async () => {
    project.remove();
    await sandboxes.close();
  });

  it('runs, fails and crashes without writing a token byte anywhere', async () => {
    const run = await ferry(['run', SYNC_PIPELINE, '--json', '--log-level', 'trace', '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 60_000 });
    outputs.push(run);
    expect(run.code, run.stderr).toBe(0);
    vaultTokens();
    expect(secrets.size).toBeGreaterThanOrEqual(5); // two markers + at least the first and last GHL pair
    // Auth failures: the unknown token is named nowhere.
    const refused = await ferry(['run', SYNC_PIPELINE, '--full', '--json', '--log-level', 'trace', '--time-scale', String(TIME_SCALE)], {
      cwd: project.dir,
      env: { ...env, SALESMSG_TOKEN: SALESMSG_UNKNOWN },
      timeoutMs: 60_000,
    });
    outputs.push(refused);
    expect(refused.code).toBe(3);
    // Read-only commands: one process each, all at once.
    outputs.push(...(await Promise.all([['auth', 'status'], ['status', '--json'], ['dlq', 'list', '--records'], ['--log-level', 'trace', 'validate']].map((args) => ferry(args, { cwd: project.dir, env })))));
    // A crash: SIGKILL in the middle of a run (whatever it printed so far is scanned too).
    const killed = spawnFerry(['run', SYNC_PIPELINE, '--full', '--log-level', 'trace', '--time-scale', '1'], { cwd: project.dir, env, timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 3500));
    killed.child.kill('SIGKILL');
    outputs.push(await killed.exited);
    vaultTokens();

    // The scanner finds what it looks for (raw, base64 and hex forms).
    expect(secretsIn(`x${SALESMSG_MARKER}x`, [SALESMSG_MARKER])).toHaveLength(1);
    expect(secretsIn(Buffer.from(SALESMSG_MARKER).toString('base64'), [SALESMSG_MARKER])).toHaveLength(1);
    expect(secretsIn(Buffer.from(SALESMSG_MARKER).toString('hex'), [SALESMSG_MARKER])).toHaveLength(1);
    for (const out of outputs) expect(secretsIn(out.stdout + out.stderr, [...secrets])).toEqual([]);
    expect(existsSync(project.path('logs/ferry.log'))).toBe(true);
    expect(filesHoldingSecrets(project.dir, [...secrets])).toEqual([]);
  }, 120_000);

  it('keeps the store and the key file private (0600)', () => {
    expect(fileMode(project.path('state/ferry.db')).toString(8)).toBe('600');
    expect(fileMode(project.path('.ferry/secret.key')).toString(8)).toBe('600');
    for (const side of ['state/ferry.db-wal', 'state/ferry.db-shm']) if (existsSync(project.path(side))) expect(fileMode(project.path(side)) & 0o077).toBe(0);
  });
});
