import Database from 'better-sqlite3';
import type { JsonRecord, ServedSandbox } from '@ferry/core';
import { ferry, spawnFerry, waitFor, type FerryOutput } from '../../support/ferry-cli.js';
import { SYNC_PIPELINE } from './sync-project.js';

/** Where in a run a SIGKILL lands. */
export type KillMoment = 'paging' | 'write' | 'commit' | 'refresh' | 'random';

export interface KillSyncOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly storeFile: string;
  readonly salesmsg: ServedSandbox;
  readonly ghl: ServedSandbox;
  readonly timeScale: number;
  readonly kills: number;
  readonly moments: readonly KillMoment[];
  readonly random: () => number;
  /** Called after each kill (assert the safety invariants there). */
  readonly afterKill: (kill: KillRecord) => Promise<void>;
  /**
   * A kill right after the provider rotated the refresh token but before ferry stored the new pair loses the
   * grant (no client can keep a token it never received): the next run stops with AUTH_REVOKED and `ferry auth`.
   * This reconnects; without it such a stop fails the loop.
   */
  readonly reconnect?: () => Promise<void>;
  /** Called when an attempt finished before its kill: give the next attempts work (source changes). */
  readonly refill?: () => void;
  /** Most events to wait for before a kill (a random 1..max of them). */
  readonly maxEvents?: number;
}

export interface KillRecord {
  readonly index: number;
  readonly moment: KillMoment;
  readonly afterMs: number;
}

export interface KillSyncResult {
  readonly kills: readonly KillRecord[];
  /** Attempts that finished before their kill landed. */
  readonly finishedEarly: number;
  /** Runs that stopped cleanly (exit 3, AUTH_REVOKED, `ferry auth` hint) because a kill lost a rotated refresh token. */
  readonly grantsLost: number;
  readonly final: FerryOutput;
}

function counter(sandbox: ServedSandbox, read: (stats: JsonRecord) => unknown): () => number {
  return () => {
    const value = read(sandbox.instance.stats());
    return typeof value === 'number' ? value : 0;
  };
}

function field(stats: JsonRecord, ...path: string[]): unknown {
  let at: unknown = stats;
  for (const key of path) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

function checkpointText(storeFile: string): string {
  try {
    const db = new Database(storeFile, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT state FROM checkpoints WHERE pipeline = ?').get(SYNC_PIPELINE) as { state: string } | undefined;
      return row?.state ?? '';
    } finally {
      db.close();
    }
  } catch {
    return ''; // not created yet, or busy migrating
  }
}

/**
 * Runs `ferry run` again and again and SIGKILLs each attempt at a chosen kind of moment: right after the N-th
 * page request (paging), right after the N-th contact upsert or task create in GHL (between a write and its checkpoint),
 * right after a checkpoint moved (commit) plus 0-3 ms (inside the next transaction), right after the N-th OAuth
 * refresh (token refresh), or after a random delay. Then one run to the end.
 */
export async function killSyncRepeatedly(options: KillSyncOptions): Promise<KillSyncResult> {
  const pages = counter(options.salesmsg, (s) => field(s, 'requests'));
  const writes = counter(options.ghl, (s) => {
    const upserts = field(s, 'byOperation', 'upsert-contact');
    const tasksCreated = field(s, 'byOperation', 'create-task');
    return (typeof upserts === 'number' ? upserts : 0) + (typeof tasksCreated === 'number' ? tasksCreated : 0);
  });
  const refreshes = counter(options.ghl, (s) => field(s, 'oauth', 'refreshToken'));
  const kills: KillRecord[] = [];
  let finishedEarly = 0;
  let grantsLost = 0;
  let attempt = 0;
  const maxEvents = options.maxEvents ?? 4;
  const args = ['run', SYNC_PIPELINE, '--no-progress', '--time-scale', String(options.timeScale)];
  while (kills.length < options.kills) {
    if (finishedEarly > options.kills * 3) throw new Error(`runs keep finishing before a kill lands (${finishedEarly} times): make the sync longer`);
    const moment = options.moments[attempt % options.moments.length] ?? 'random';
    attempt += 1;
    const events = 1 + Math.floor(options.random() * maxEvents);
    const started = Date.now();
    const running = spawnFerry(args, { cwd: options.cwd, env: options.env, timeoutMs: 600_000 });
    let finished = false;
    void running.exited.then(() => (finished = true));
    const baseline = { pages: pages(), writes: writes(), refreshes: refreshes(), checkpoint: checkpointText(options.storeFile) };
    const randomDeadline = started + 2500 + options.random() * 4000;
    await waitFor(
      () => {
        if (finished) return true;
        switch (moment) {
          case 'paging':
            return pages() >= baseline.pages + Math.min(events, 1 + (events % 6)) ? true : undefined;
          case 'write':
            return writes() >= baseline.writes + events ? true : undefined;
          case 'refresh':
            return refreshes() >= baseline.refreshes + Math.min(events, 2) ? true : undefined;
          case 'commit':
            return checkpointText(options.storeFile) !== baseline.checkpoint ? true : undefined;
          case 'random':
            return Date.now() >= randomDeadline ? true : undefined;
        }
      },
      `a ${moment} moment`,
      300_000,
      1,
    );
    if (!finished && moment === 'commit') await new Promise((resolve) => setTimeout(resolve, Math.floor(options.random() * 4)));
    running.child.kill('SIGKILL');
    const out = await running.exited;
    if (process.env['RELIABILITY_DEBUG'] !== undefined) console.error(`attempt ${attempt} ${moment}: ${out.signal ?? out.code} after ${Date.now() - started} ms`);
    if (out.signal !== 'SIGKILL') {
      if (out.code === 3 && options.reconnect !== undefined && /AUTH_REVOKED|was refused/.test(out.stdout + out.stderr) && out.stdout.includes('ferry auth ghl')) {
        grantsLost += 1;
        await options.reconnect();
        continue;
      }
      finishedEarly += 1;
      if (out.code !== 0) throw new Error(`ferry run exited ${String(out.code)} before its kill:\n${out.stdout}\n${out.stderr}`);
      options.refill?.();
      continue;
    }
    const record: KillRecord = { index: kills.length + 1, moment, afterMs: Date.now() - started };
    kills.push(record);
    await options.afterKill(record);
  }
  const final = await ferry([...args, '--json'], { cwd: options.cwd, env: options.env, timeoutMs: 900_000 });
  return { kills, finishedEarly, grantsLost, final };
}
