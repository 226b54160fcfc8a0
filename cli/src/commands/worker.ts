import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_QUEUE_PREFIX, FerryError, SqliteStore, asServiceStore, redactRedisUrl, startQueueWorker, type ProjectSpec, type Store } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { parsePositiveInteger, parseTimeScale } from '../option-parsers.js';

interface WorkerCommandOptions {
  readonly queue?: string;
  readonly queuePrefix?: string;
  readonly concurrency?: number;
  readonly stallTimeout?: number;
  readonly timeScale?: number;
}

const MIN_STALL_TIMEOUT_MS = 1_000;

/** How the `--queue-prefix` options describe their default. */
export const QUEUE_PREFIX_DEFAULT = `redis.prefix in ferry.yaml, else ${DEFAULT_QUEUE_PREFIX}`;

function parseStallTimeout(value: string): number {
  const ms = parsePositiveInteger(value);
  if (ms < MIN_STALL_TIMEOUT_MS) throw new InvalidArgumentError(`expected milliseconds, ${MIN_STALL_TIMEOUT_MS} or more.`);
  return ms;
}

export function registerWorkerCommand(program: Command, invocation: Invocation): void {
  program
    .command('worker')
    .description('process the run queue until Ctrl-C: runs, schedule ticks and webhook deliveries that `serve --queue` puts there')
    .option('--queue <url>', 'Redis URL of the run queue, e.g. redis://127.0.0.1:6379/0 (default: redis: in ferry.yaml)')
    .option('--queue-prefix <prefix>', `key prefix of the queue in Redis; serve --queue must use the same (default: ${QUEUE_PREFIX_DEFAULT})`)
    .option('--concurrency <n>', 'runs and inbox drains processed at once (default 2)', parsePositiveInteger)
    .option(
      '--stall-timeout <ms>',
      'how long a job may go without this worker\'s heartbeat before another worker takes it over; also how soon a dead worker\'s pipelines free up (default 30000)',
      parseStallTimeout,
    )
    .addOption(new Option('--time-scale <factor>', 'run rate windows this many times faster').hideHelp().argParser(parseTimeScale))
    .action(async (options: WorkerCommandOptions, command: Command) => invocation.run(command, (ws) => workerCommand(ws, invocation, options)));
}

/**
 * The run queue's Redis URL: the option, else the top-level `redis:` of ferry.yaml; a usage error when neither
 * names one.
 */
export function queueUrlOf(given: string | undefined, project: ProjectSpec, command: string): string {
  if (given !== undefined) return given;
  if (project.redis !== undefined && project.redis.url !== '') return project.redis.url;
  throw new FerryError('USAGE_INVALID', `${command} needs the run queue's Redis URL`, {
    hint: 'pass --queue redis://host:6379/0, or set `redis: redis://host:6379/0` in ferry.yaml',
  });
}

/** The run queue's key prefix: the option, else ferry.yaml's `redis.prefix`, else undefined (the default, `ferry`). */
export function queuePrefixOf(given: string | undefined, project: ProjectSpec): string | undefined {
  return given ?? project.redis?.prefix;
}

/**
 * A SQLite store is a file: workers on other machines cannot reach it (each would have its own checkpoints and
 * inbox). Said once at start; PostgreSQL is the store for workers on several machines.
 */
export function sqliteStoreNote(store: Store): string | undefined {
  if (!(store instanceof SqliteStore)) return undefined;
  return 'note: the store is a SQLite file, which only processes on this machine can share; for workers on several machines use a PostgreSQL store (store: postgres://…)';
}

async function workerCommand(ws: Workspace, invocation: Invocation, options: WorkerCommandOptions): Promise<ExitCodeValue> {
  const project = ws.project();
  const url = queueUrlOf(options.queue, project, 'ferry worker');
  const pipelines = ws.pipelines();
  const store = asServiceStore(ws.store());
  const stop = invocation.gracefulStop(ws, 'runs in progress stop at their checkpoint and go back on the queue for another worker');
  try {
    const worker = await startQueueWorker({
      url,
      prefix: queuePrefixOf(options.queuePrefix, project),
      project,
      pipelines,
      registry: ws.registry,
      store,
      log: ws.logger().logger,
      env: ws.env(),
      timeScale: options.timeScale,
      concurrency: options.concurrency,
      stallTimeoutMs: options.stallTimeout,
    });
    try {
      const storeNote = sqliteStoreNote(store);
      if (storeNote !== undefined) ws.note(storeNote);
      const where = redactRedisUrl(url);
      if (ws.options.json) {
        ws.io.stdout.write(`${JSON.stringify({ queue: where, prefix: worker.prefix, concurrency: worker.concurrency, stallTimeoutMs: worker.stallTimeoutMs })}\n`);
      } else {
        ws.print([
          `ferry worker processing ${where} (prefix ${worker.prefix})`,
          `  concurrency ${worker.concurrency} · a job this worker stops heartbeating is taken over after ${worker.stallTimeoutMs} ms`,
          '  Ctrl-C stops it (runs in progress stop at their checkpoint; another worker resumes them)',
        ]);
      }
      await stop.stopped;
    } finally {
      await worker.stop();
    }
  } finally {
    stop.dispose();
  }
  ws.note('stopped cleanly');
  return ExitCode.ok;
}
