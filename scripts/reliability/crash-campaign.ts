/**
 * Crash campaign: a Salesmsg → GHL sync (upsert matched on phone then email, tag, task) over OAuth with
 * short-lived access tokens, SIGKILLed again and again at chosen moments — while paging, between a write and its
 * checkpoint, right after a commit, during a token refresh, at random — and resumed each time. After every kill
 * nothing is duplicated; at the end every lead is in GHL exactly once, tagged, with one task, and the checkpoint
 * is at the end.
 *
 *   node --import tsx scripts/reliability/crash-campaign.ts [--contacts 10000] [--kills 25] [--seed 1]
 */
import { mulberry32 } from '../../test/reliability/support/seeded-random.js';
import { createSyncProject, editSourceContacts, startSandboxes, syncEnv } from '../../test/reliability/support/sync-project.js';
import { checkpointAtEnd, completenessViolations, readSyncFacts, safetyViolations } from '../../test/reliability/support/sync-check.js';
import { killSyncRepeatedly, type KillMoment } from '../../test/reliability/support/kill-sync.js';
import { connectOauth } from '../../test/reliability/support/oauth-connect.js';
import { numberArg, saveResult } from './results.js';

const contacts = numberArg('contacts', 10_000);
const killsWanted = numberArg('kills', 25);
const seed = numberArg('seed', 1);
const TIME_SCALE = 5;

const started = Date.now();
const sandboxes = await startSandboxes({ size: contacts, seed, timeScale: TIME_SCALE, ghlAccessTokenTtlSeconds: 320 });
const project = createSyncProject({ ghlAuth: 'oauth2', concurrency: 8, batchSize: 25 });
const env = syncEnv(sandboxes);
const storeFile = project.path('state/ferry.db');
const random = mulberry32(seed * 7919);
const violations: string[] = [];
try {
  const auth = await connectOauth('ghl', project.dir, env);
  if (auth.code !== 0) throw new Error(`ferry auth ghl failed:\n${auth.stderr}`);
  const moments: KillMoment[] = ['write', 'paging', 'commit', 'refresh', 'random'];
  const result = await killSyncRepeatedly({
    cwd: project.dir,
    env,
    storeFile,
    salesmsg: sandboxes.salesmsg,
    ghl: sandboxes.ghl,
    timeScale: TIME_SCALE,
    kills: killsWanted,
    moments,
    random,
    maxEvents: 200,
    refill: () => editSourceContacts(sandboxes, 100, random),
    async reconnect() {
      const again = await connectOauth('ghl', project.dir, env);
      if (again.code !== 0) throw new Error(`ferry auth ghl failed:\n${again.stderr}`);
    },
    async afterKill(kill) {
      const problems = safetyViolations(await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, storeFile));
      for (const p of problems) violations.push(`after kill ${kill.index} (${kill.moment}): ${p}`);
      process.stderr.write(`kill ${kill.index}/${killsWanted} (${kill.moment}, ${kill.afterMs} ms into the run): ${problems.length === 0 ? 'nothing duplicated' : problems.join('; ')}\n`);
    },
  });
  if (result.final.code !== 0) violations.push(`final run exited ${String(result.final.code)}: ${result.final.stderr.slice(0, 500)}`);
  const facts = await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, storeFile);
  violations.push(...completenessViolations(facts));
  const checkpoint = checkpointAtEnd(facts, storeFile);
  if (!checkpoint.atEnd) violations.push(`checkpoint watermark ${String(checkpoint.watermark)} is not the newest source update`);
  const byMoment: Record<string, number> = {};
  for (const k of result.kills) byMoment[k.moment] = (byMoment[k.moment] ?? 0) + 1;
  const ghlStats = sandboxes.ghl.instance.stats() as { requests?: number; oauth?: { refreshToken?: number } };
  saveResult({
    campaign: 'crash',
    command: `node --import tsx scripts/reliability/crash-campaign.ts --contacts ${contacts} --kills ${killsWanted} --seed ${seed}`,
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    held: violations.length === 0,
    figures: {
      'source contacts': contacts,
      'qualifying (lead) contacts': facts.qualifying.length,
      'SIGKILLs survived': result.kills.length,
      ...Object.fromEntries(Object.entries(byMoment).map(([m, n]) => [`kills ${m}`, n])),
      'runs that finished before their kill (source then changed)': result.finishedEarly,
      'grants lost to a kill during a refresh (clean stop, exit 3, re-auth)': result.grantsLost,
      'GHL contacts': facts.ghlContacts.length,
      'GHL tasks': facts.tasks.length,
      'OAuth refreshes': ghlStats.oauth?.refreshToken ?? 0,
      'GHL API requests': ghlStats.requests ?? 0,
      'duplicates / lost records': violations.length === 0 ? '0 / 0' : 'see notes',
      'checkpoint at the end': checkpoint.atEnd,
    },
    notes: violations,
  });
  process.stdout.write(`${violations.length === 0 ? 'held' : 'FAILED'}: ${result.kills.length} kills, ${facts.qualifying.length} leads\n${violations.join('\n')}\n`);
  process.exitCode = violations.length === 0 ? 0 : 1;
} finally {
  project.remove();
  await sandboxes.close();
}
