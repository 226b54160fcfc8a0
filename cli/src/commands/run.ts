import { Option, type Command } from 'commander';
import { combineRunSummaries, worstRunStatus, type PipelineSpec, type RunCallStats, type RunStatus, type RunSummary } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, worstExitCode, type ExitCodeValue } from '../exit-codes.js';
import { collectParam, parsePositiveInteger, parseTimeScale } from '../option-parsers.js';
import { enqueueRuns, optionsTheQueueCannotCarry, queueConflict } from '../enqueue-runs.js';
import { QUEUE_PREFIX_DEFAULT } from './worker.js';
import { outcomeToJson, type PipelineOutcome } from '../run-report.js';
import { DEFAULT_PARTITIONS_CONCURRENCY, runPipelineUnits } from '../run-pipeline-units.js';
import { formatPartitionsTotal, formatRunReport } from '../summary.js';

export interface RunOptions {
  readonly full?: boolean;
  readonly dryRun?: boolean;
  readonly limit?: number;
  readonly param?: Readonly<Record<string, unknown>>;
  readonly partition?: string;
  readonly partitionsConcurrency: number;
  readonly timeScale?: number;
  /** `--queue` alone: the `redis:` of ferry.yaml. */
  readonly queue?: string | true;
  readonly queuePrefix?: string;
}

export function registerRunCommand(program: Command, invocation: Invocation): void {
  program
    .command('run')
    .description('run pipelines one after another and print a summary of each (every partition of a partitioned one)')
    .argument('<pipeline...>', 'pipeline names (from ferry.yaml) or pipeline files')
    .option('--full', 'read the whole source again instead of resuming from the checkpoint (itself resumable)')
    .option('--dry-run', 'compute what would change without writing anything (`ferry plan` shows the diffs)')
    .option('--limit <n>', 'stop after n source records; the checkpoint covers exactly those', parsePositiveInteger)
    .option('--param <key=value>', 'stream parameter, repeatable (key:=json for a typed value)', collectParam)
    .option('--partition <id>', 'run only this partition of a partitioned pipeline')
    .option('--partitions-concurrency <n>', 'partitions of a pipeline that run at once', parsePositiveInteger, DEFAULT_PARTITIONS_CONCURRENCY)
    .option('--queue [url]', 'put a run of every partition on the run queue for `ferry worker`s and return (url default: redis: in ferry.yaml)')
    .option('--queue-prefix <prefix>', `key prefix of the queue in Redis; the workers must use the same (default: ${QUEUE_PREFIX_DEFAULT})`)
    .addOption(new Option('--time-scale <factor>', 'run rate windows this many times faster').hideHelp().argParser(parseTimeScale))
    .action(async (names: string[], options: RunOptions, command: Command) =>
      invocation.run(command, (ws) => runCommand(ws, invocation, names, options)),
    );
}

/** A partitioned pipeline's total, as --json reports it. */
interface PartitionsTotal {
  readonly pipeline: string;
  readonly partitions: number;
  readonly status: RunStatus;
  readonly summary: RunSummary;
  readonly notStarted: readonly string[];
}

async function runCommand(ws: Workspace, invocation: Invocation, names: readonly string[], options: RunOptions): Promise<ExitCodeValue> {
  // Resolve every pipeline first: a typo in the third name must not let the first two run.
  const pipelines = names.map((name) => ws.pipeline(name));
  if (options.queue !== undefined) return runOnQueue(ws, invocation, pipelines, { ...options, queue: options.queue });
  const dryRun = options.dryRun === true;
  const stop = invocation.gracefulStop(ws);
  const outcomes: PipelineOutcome[] = [];
  const totals: PartitionsTotal[] = [];
  let started = 0;
  try {
    for (const pipeline of pipelines) {
      if (stop.signal.aborted) break;
      started += 1;
      const say = (lines: readonly string[]): void => {
        if (outcomes.length > 0 || totals.length > 0) ws.say('');
        ws.say(lines);
      };
      const units = await runPipelineUnits(ws, pipeline, {
        signal: stop.signal,
        mode: options.full === true ? 'full' : undefined,
        dryRun,
        limit: options.limit,
        params: options.param,
        timeScale: options.timeScale,
        partition: options.partition,
        concurrency: options.partitionsConcurrency,
        // Each partition's summary as soon as it ends; the pipeline's total once all have.
        onOutcome: (_unit, outcome) => {
          say(formatRunReport(outcome));
          outcomes.push(outcome);
        },
      });
      if (units.refused !== undefined) {
        say(formatRunReport(units.refused));
        outcomes.push(units.refused);
        continue;
      }
      if (!units.partitioned) continue;
      const mine = outcomes.filter((outcome) => outcome.pipeline === pipeline.name && outcome.partition !== undefined);
      const total: PartitionsTotal = {
        pipeline: pipeline.name,
        partitions: mine.length + units.notStarted.length,
        status: units.notStarted.length > 0 ? worstRunStatus([...mine.map((o) => o.status), 'stopped']) : worstRunStatus(mine.map((o) => o.status)),
        summary: withSharedCalls(combineRunSummaries(mine.map((o) => o.summary)), units.sharedCalls),
        notStarted: units.notStarted,
      };
      if (mine.length === 0 && units.notStarted.length === 0) ws.note(`${pipeline.name}: connection '${pipeline.from.connection}' has no partitions: nothing to run`);
      say(formatPartitionsTotal(pipeline.name, mine, total.summary, units.notStarted.length));
      totals.push(total);
    }
  } finally {
    stop.dispose();
  }
  const notStarted = pipelines.slice(started).map((p) => p.name);
  if (notStarted.length > 0) ws.note(`not started (stopped first): ${notStarted.join(', ')}`);
  const partitionsLeft = totals.flatMap((total) => total.notStarted.map((id) => `${total.pipeline} [${id}]`));
  if (partitionsLeft.length > 0) ws.note(`partitions not started (stopped first): ${partitionsLeft.join(', ')}`);
  if (ws.options.json) ws.emitJson({ runs: outcomes.map(outcomeToJson), notStarted, ...(totals.length === 0 ? {} : { totals }) });
  const codes = outcomes.map((o) => o.exitCode);
  if (notStarted.length > 0 || partitionsLeft.length > 0) codes.push(ExitCode.stopped);
  return worstExitCode(codes);
}

/** `--queue`: the runs go to `ferry worker`s; nothing runs here. */
async function runOnQueue(ws: Workspace, invocation: Invocation, pipelines: readonly PipelineSpec[], options: RunOptions & { readonly queue: string | true }): Promise<ExitCodeValue> {
  const conflicting = optionsTheQueueCannotCarry(options);
  if (conflicting.length > 0) throw queueConflict(conflicting);
  const stop = invocation.gracefulStop(ws);
  try {
    return await enqueueRuns(ws, pipelines, { queue: options.queue, prefix: options.queuePrefix, partition: options.partition, signal: stop.signal, timeScale: options.timeScale });
  } finally {
    stop.dispose();
  }
}

/** A pipeline's total also counts the calls no partition's run does (discovery, a shared destination). */
function withSharedCalls(summary: RunSummary, shared: RunCallStats): RunSummary {
  return {
    ...summary,
    apiCalls: summary.apiCalls + shared.apiCalls,
    rateLimited: summary.rateLimited + shared.rateLimited,
    retries: summary.retries + shared.retries,
    utilization: Math.max(summary.utilization, shared.utilization),
  };
}
