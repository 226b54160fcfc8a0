import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@ferry/core';
import type { TempProject } from '../support/temp-project.js';
import { createSyncProject, editSourceContacts, startSandboxes, syncEnv, type SyncSandboxes } from './support/sync-project.js';
import { checkpointAtEnd, completenessViolations, readSyncFacts, safetyViolations } from './support/sync-check.js';
import { killSyncRepeatedly } from './support/kill-sync.js';
import { connectOauth } from './support/oauth-connect.js';

const CONTACTS = 200;
const KILLS = 5;
const TIME_SCALE = 5;

/**
 * Salesmsg → GHL (upsert on phone then email, tag, task) over OAuth with access tokens that live half a second,
 * SIGKILLed while paging, between a write and its checkpoint, right after a commit, during a token refresh and at
 * random, and resumed each time. (scripts/reliability/crash-campaign.ts runs 10,000 contacts and 25+ kills.)
 */
describe('SIGKILL during a Salesmsg → GHL sync, resume', () => {
  let sandboxes: SyncSandboxes;
  let project: TempProject;
  let env: Record<string, string>;

  beforeAll(async () => {
    sandboxes = await startSandboxes({ size: CONTACTS, timeScale: TIME_SCALE, ghlAccessTokenTtlSeconds: 320 });
    project = createSyncProject({ ghlAuth: 'oauth2', concurrency: 4, batchSize: 10 });
    env = syncEnv(sandboxes);
    const auth = await connectOauth('ghl', project.dir, env);
    expect(auth.code, auth.stderr).toBe(0);
  });
  afterAll(async () => {
    project.remove();
    await sandboxes.close();
  });

  it(`survives ${KILLS} kills: every lead lands once, tagged, with one task; the checkpoint is at the end`, async () => {
    const storeFile = project.path('state/ferry.db');
    const random = mulberry32(20_250_601);
    const result = await killSyncRepeatedly({
      cwd: project.dir,
      env,
      storeFile,
      salesmsg: sandboxes.salesmsg,
      ghl: sandboxes.ghl,
      timeScale: TIME_SCALE,
      kills: KILLS,
      moments: ['write', 'paging', 'refresh', 'commit', 'write', 'random'],
      random,
      refill: () => editSourceContacts(sandboxes, 60, random),
      maxEvents: 3,
      async reconnect() {
        expect((await connectOauth('ghl', project.dir, env)).code).toBe(0);
      },
      async afterKill() {
        expect(safetyViolations(await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, storeFile))).toEqual([]);
      },
    });
    expect(result.kills.length).toBe(KILLS);
    expect(result.final.code, result.final.stdout + result.final.stderr).toBe(0);
    const facts = await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, storeFile);
    expect(facts.qualifying.length).toBeGreaterThan(50);
    expect(completenessViolations(facts)).toEqual([]);
    expect(checkpointAtEnd(facts, storeFile).atEnd).toBe(true);
  }, 150_000);
});
