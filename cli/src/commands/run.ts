import { Option, type Command } from 'commander';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, worstExitCode, type ExitCodeValue } from '../exit-codes.js';
import { executePipeline } from '../execute-pipeline.js';
import { collectParam, parsePositiveInteger, parseTimeScale } from '../option-parsers.js';
import { outcomeOfError, outcomeOfResult, outcomeToJson, type PipelineOutcome } from '../run-report.js';
import { formatRunReport } from '../summary.js';

export interface RunOptions {
  readonly full?: boolean;
  readonly dryRun?: boolean;
  readonly limit?: number;
  readonly param?: Readonly<Record<string, unknown>>;
  readonly timeScale?: number;
}

export function registerRunCommand(program: Command, invocation: Invocation): void {
  program
    .command('run')
    .description('run pipelines one after another and print a summary of each')
    .argument('<pipeline...>', 'pipeline names (from ferry.yaml) or pipeline files')
    .option('--full', 'read the whole source again instead of resuming from the checkpoint (itself resumable)')
    .option('--dry-run', 'compute what would change without writing anything (`ferry plan` shows the diffs)')
    .option('--limit <n>', 'stop after n source records; the checkpoint covers exactly those', parsePositiveInteger)
    .option('--param <key=value>', 'stream parameter, repeatable (key:=json for a typed value)', collectParam)
    .addOption(new Option('--time-scale <factor>', 'run rate windows this many times faster').hideHelp().argParser(parseTimeScale))
    .action(async (names: string[], options: RunOptions, command: Command) =>
      invocation.run(command, (ws) => runCommand(ws, invocation, names, options)),
    );
}

async function runCommand(ws: Workspace, invocation: Invocation, names: readonly string[], options: RunOptions): Promise<ExitCodeValue> {
  // Resolve every pipeline first: a typo in the third name must not let the first two run.
  const pipelines = names.map((name) => ws.pipeline(name));
  const dryRun = options.dryRun === true;
  const stop = invocation.gracefulStop(ws);
  const outcomes: PipelineOutcome[] = [];
  try {
    for (const pipeline of pipelines) {
      if (stop.signal.aborted) break;
      let outcome: PipelineOutcome;
      try {
        const result = await executePipeline(ws, pipeline, {
          signal: stop.signal,
          mode: options.full === true ? 'full' : undefined,
          dryRun,
          limit: options.limit,
          params: options.param,
          timeScale: options.timeScale,
        });
        outcome = outcomeOfResult(pipeline.name, result, dryRun);
      } catch (error) {
        // A FerryError before the first record (no token for a connection, …) fails this pipeline only.
        outcome = outcomeOfError(pipeline.name, error, dryRun) ?? rethrow(error);
      }
      outcomes.push(outcome);
      if (outcomes.length > 1) ws.say('');
      ws.say(formatRunReport(outcome));
    }
  } finally {
    stop.dispose();
  }
  const notStarted = pipelines.slice(outcomes.length).map((p) => p.name);
  if (notStarted.length > 0) ws.note(`not started (stopped first): ${notStarted.join(', ')}`);
  if (ws.options.json) ws.emitJson({ runs: outcomes.map(outcomeToJson), notStarted });
  const codes = outcomes.map((o) => o.exitCode);
  if (notStarted.length > 0) codes.push(ExitCode.stopped);
  return worstExitCode(codes);
}

function rethrow(error: unknown): never {
  throw error;
}
