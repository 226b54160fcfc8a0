import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connectRedis, openSqliteStore, type Logger, type RunRow } from '@ferry/core';
import { spawnFerry, waitFor, type FerryOutput, type FerryProcess } from './ferry-cli.js';

/** Generous: several CLI processes start at once on a machine that may be busy. */
export const QUEUE_TEST_TIMEOUT_MS = 300_000;

/** The local Redis the queue tests use; each test keeps to a prefix of its own and removes it at the end. */
export const REDIS_URL = 'redis://127.0.0.1:6379/0';

/** A logger that keeps quiet (core APIs called from the test process). */
export const quietLog: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quietLog };

export function uniquePrefix(): string {
  return `ferry-test-${randomUUID()}`;
}

/** Deletes every key of a test's queue prefix (queues, schedulers, locks). */
export async function removeQueueKeys(prefix: string): Promise<void> {
  const redis = await connectRedis(REDIS_URL, { purpose: 'test clean-up' });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface ScriptProcess {
  stdout(): string;
  readonly exited: Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>;
}

/** Runs a TypeScript file of this folder in its own Node process (tsx), with extra environment variables. */
export function spawnSupportScript(script: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): ScriptProcess {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const child = spawn(process.execPath, ['--import', TSX_LOADER, file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { stdout: () => stdout, exited };
}

/** The first JSON line a long-running command prints on stdout once it is ready (`--json`). */
export function readyLine<T>(process: FerryProcess, what: string, timeoutMs: number): Promise<T> {
  return waitFor(
    () => {
      const line = process.stdout().split('\n').find((l) => l.startsWith('{'));
      if (line === undefined && process.child.exitCode !== null) throw new Error(`${what} exited early: ${process.stderr()}`);
      return line === undefined ? undefined : (JSON.parse(line) as T);
    },
    what,
    timeoutMs,
  );
}

export interface Started<T> {
  readonly process: FerryProcess;
  readonly ready: Promise<T>;
}

export interface ServeReady {
  readonly url: string;
  readonly queue: string;
  readonly prefix: string;
}

/** `ferry serve --queue` on a free port, logging JSON to `logFile`. */
export function startQueuedServe(dir: string, prefix: string, logFile: string): Started<ServeReady> {
  const process = spawnFerry(['--json', '--log-file', logFile, '--log-level', 'info', 'serve', '--port', '0', '--queue', REDIS_URL, '--queue-prefix', prefix], {
    cwd: dir,
    timeoutMs: 240_000,
  });
  return { process, ready: readyLine<ServeReady>(process, 'ferry serve --queue to start', 120_000) };
}

/** `ferry worker` on the test's queue, logging JSON to `logFile`. */
export function startWorker(dir: string, prefix: string, logFile: string, extra: readonly string[] = []): Started<{ readonly prefix: string }> {
  const process = spawnFerry(['--json', '--log-file', logFile, '--log-level', 'info', 'worker', '--queue', REDIS_URL, '--queue-prefix', prefix, ...extra], {
    cwd: dir,
    timeoutMs: 240_000,
  });
  return { process, ready: readyLine(process, 'ferry worker to start', 120_000) };
}

/** SIGTERM, then the process's end. */
export async function stop(process: FerryProcess): Promise<FerryOutput> {
  if (process.child.exitCode === null) process.child.kill('SIGTERM');
  return process.exited;
}

/** Kills what is still running (after a failed test). */
export async function killAll(processes: readonly FerryProcess[]): Promise<void> {
  for (const process of processes) {
    if (process.child.exitCode === null && process.child.signalCode === null) process.child.kill('SIGKILL');
    await process.exited.catch(() => undefined);
  }
}

/** The JSON log lines of a process (pino, one object per line). */
export function logEntries(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Runs of one pipeline in the store another process writes, oldest first. */
export function runsOf(storeFile: string, pipeline: string): RunRow[] {
  const store = openSqliteStore(storeFile, { readonly: true });
  try {
    return store.listRuns({ pipeline }).reverse();
  } finally {
    store.close();
  }
}

/** Pairs of runs whose [start, end] intervals overlap (an unfinished run lasts until now). */
export function overlappingRuns(runs: readonly RunRow[]): [number, number][] {
  const spans = runs.map((run) => ({ id: run.id, start: Date.parse(run.startedAt), end: run.finishedAt === undefined ? Date.now() : Date.parse(run.finishedAt) }));
  const overlaps: [number, number][] = [];
  for (const [i, a] of spans.entries()) {
    for (const b of spans.slice(i + 1)) if (a.start < b.end && b.start < a.end) overlaps.push([a.id, b.id]);
  }
  return overlaps;
}
