/**
 * Faults campaign: a Salesmsg → GHL sync while both sandboxes inject 10% each of 429, 5xx, timeouts,
 * connection resets and malformed JSON. Every record lands or is dead-lettered with its reason; once the faults
 * stop, `ferry dlq replay` and one more run land the rest; nothing is duplicated or lost.
 *
 *   node --import tsx scripts/reliability/faults-campaign.ts [--contacts 1000] [--rate 0.1] [--seed 3]
 */
import { ferry } from '../../test/support/ferry-cli.js';
import { createSyncProject, startSandboxes, syncEnv, SYNC_PIPELINE } from '../../test/reliability/support/sync-project.js';
import { completenessViolations, readSyncFacts, safetyViolations } from '../../test/reliability/support/sync-check.js';
import { numberArg, saveResult } from './results.js';

const contacts = numberArg('contacts', 1000);
const rate = numberArg('rate', 0.1);
const seed = numberArg('seed', 3);
const TIME_SCALE = 20;
const started = Date.now();
const faults = { rateLimited: rate, serverError: rate, timeout: rate, reset: rate, malformed: rate };
const sandboxes = await startSandboxes({ size: contacts, seed, timeScale: TIME_SCALE, faults });
const project = createSyncProject({ ghlAuth: 'bearer', concurrency: 16, batchSize: 25 });
const env = syncEnv(sandboxes);
const storeFile = project.path('state/ferry.db');
const violations: string[] = [];
interface RunJson {
  runs: { status: string; summary: Record<string, number>; error: { code?: string } | null }[];
}
try {
  const first = await ferry(['run', SYNC_PIPELINE, '--json', '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 3_600_000 });
  const result = (JSON.parse(first.stdout) as RunJson).runs[0];
  const summary = result?.summary ?? {};
  const dead = summary['deadLettered'] ?? 0;
  const expectedCode = result?.status === 'failed' ? 3 : dead > 0 ? 1 : 0;
  if (first.code !== expectedCode) violations.push(`exit ${String(first.code)} for status ${String(result?.status)} with ${dead} dead letters`);
  violations.push(...safetyViolations(await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, storeFile)).map((p) => `under faults: ${p}`));
  const listed = JSON.parse((await ferry(['dlq', 'list', '--json', '--limit', '100000'], { cwd: project.dir, env })).stdout) as unknown;
  const letters = (Array.isArray(listed) ? listed : ((listed as { deadLetters?: unknown[] }).deadLetters ?? [])) as { error?: { code?: string; message?: string } }[];
  if (letters.length !== dead) violations.push(`${letters.length} dead letters listed, ${dead} in the summary`);
  const reasons: Record<string, number> = {};
  for (const l of letters) reasons[l.error?.code ?? 'NO_REASON'] = (reasons[l.error?.code ?? 'NO_REASON'] ?? 0) + 1;
  if (reasons['NO_REASON'] !== undefined) violations.push('dead letters without a reason');
  const ghlFaults = (sandboxes.ghl.instance.stats() as { faults: Record<string, number> }).faults;
  const salesmsgFaults = (sandboxes.salesmsg.instance.stats() as { faults: Record<string, number> }).faults;
  sandboxes.ghl.instance.setFaults({});
  sandboxes.salesmsg.instance.setFaults({});
  let replayCode: number | null = null;
  if (dead > 0) {
    const replay = await ferry(['dlq', 'replay', SYNC_PIPELINE, '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 3_600_000 });
    replayCode = replay.code;
    if (replay.code !== 0) violations.push(`dlq replay exited ${String(replay.code)}`);
  }
  const rest = await ferry(['run', SYNC_PIPELINE, '--json', '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 3_600_000 });
  if (rest.code !== 0) violations.push(`the run after the faults exited ${String(rest.code)}`);
  const facts = await readSyncFacts(sandboxes.salesmsg, sandboxes.ghl, storeFile);
  violations.push(...completenessViolations(facts));
  const sum = (faultCounts: Record<string, number>): number => Object.values(faultCounts).reduce((a, b) => a + b, 0);
  saveResult({
    campaign: 'faults',
    command: `node --import tsx scripts/reliability/faults-campaign.ts --contacts ${contacts} --rate ${rate} --seed ${seed}`,
    finishedAt: new Date().toISOString(),
    durationMs: Date.now() - started,
    held: violations.length === 0,
    figures: {
      'source contacts': contacts,
      'qualifying (lead) contacts': facts.qualifying.length,
      'fault rate per kind': rate,
      'faults injected (GHL)': `${sum(ghlFaults)} — ${JSON.stringify(ghlFaults)}`,
      'faults injected (Salesmsg)': `${sum(salesmsgFaults)} — ${JSON.stringify(salesmsgFaults)}`,
      'first run': `${String(result?.status)}, exit ${String(first.code)}${result?.error?.code === undefined ? '' : ` (${result.error.code})`}`,
      'first run summary': JSON.stringify(summary),
      'dead-lettered, each with its reason': `${dead} ${JSON.stringify(reasons)}`,
      'dlq replay exit': replayCode ?? 'not needed',
      'GHL contacts at the end': facts.ghlContacts.length,
      'duplicates / lost records': violations.length === 0 ? '0 / 0' : 'see notes',
    },
    notes: violations,
  });
  process.stdout.write(`${violations.length === 0 ? 'held' : 'FAILED'}: ${sum(ghlFaults) + sum(salesmsgFaults)} faults, ${dead} dead letters\n${violations.join('\n')}\n`);
  process.exitCode = violations.length === 0 ? 0 : 1;
} finally {
  project.remove();
  await sandboxes.close();
}
