import { Option, type Command } from 'commander';
import type { PlanEntry } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import type { ExitCodeValue } from '../exit-codes.js';
import { executePipeline } from '../execute-pipeline.js';
import { collectParam, parsePositiveInteger, parseTimeScale } from '../option-parsers.js';
import { formatPlanEntry, formatPlanTotals, formatSkipped } from '../plan-format.js';
import { outcomeOfResult, outcomeToJson } from '../run-report.js';

export interface PlanOptions {
  readonly full?: boolean;
  readonly limit?: number;
  readonly param?: Readonly<Record<string, unknown>>;
  readonly all?: boolean;
  readonly timeScale?: number;
}

export function registerPlanCommand(program: Command, invocation: Invocation): void {
  program
    .command('plan')
    .description('show what a run would create, update and skip, with field-level diffs; writes nothing')
    .argument('<pipeline>', 'pipeline name (from ferry.yaml) or pipeline file')
    .option('--full', 'plan a full sync instead of resuming from the checkpoint')
    .option('--limit <n>', 'look at the first n source records only', parsePositiveInteger)
    .option('--param <key=value>', 'stream parameter, repeatable (key:=json for a typed value)', collectParam)
    .option('--all', 'list every record, unchanged and skipped ones too (by default they are counted)')
    .addOption(new Option('--time-scale <factor>', 'run rate windows this many times faster').hideHelp().argParser(parseTimeScale))
    .action(async (name: string, options: PlanOptions, command: Command) =>
      invocation.run(command, (ws) => planCommand(ws, invocation, name, options)),
    );
}

async function planCommand(ws: Workspace, invocation: Invocation, name: string, options: PlanOptions): Promise<ExitCodeValue> {
  const pipeline = ws.pipeline(name);
  const counts: Record<PlanEntry['outcome'], number> = { create: 0, update: 0, unchanged: 0, skip: 0, error: 0 };
  const entries: PlanEntry[] = [];
  const skipped: string[] = [];
  const mode = options.full === true ? 'full' : pipeline.from.sync;
  ws.say(`plan for ${pipeline.name} (${mode} sync; nothing is written)`);
  const stop = invocation.gracefulStop(ws, 'finishing the records in flight');
  try {
    const result = await executePipeline(ws, pipeline, {
      signal: stop.signal,
      mode: options.full === true ? 'full' : undefined,
      dryRun: true,
      limit: options.limit,
      params: options.param,
      timeScale: options.timeScale,
      onPlan(entry) {
        counts[entry.outcome] += 1;
        if (ws.options.json) entries.push(entry);
        else if (options.all === true || entry.outcome === 'create' || entry.outcome === 'update' || entry.outcome === 'error') {
          ws.print(formatPlanEntry(entry));
        } else if (entry.outcome === 'skip') skipped.push(entry.sourceId ?? '(no id)');
      },
    });
    const outcome = outcomeOfResult(pipeline.name, result, true);
    if (ws.options.json) {
      ws.emitJson({ ...outcomeToJson(outcome), counts, entries });
    } else {
      if (skipped.length > 0) ws.print(formatSkipped(skipped));
      ws.print(formatPlanTotals(result.summary, counts));
      if (outcome.error !== undefined) {
        ws.print(`error: ${outcome.error.message}`);
        if (outcome.error.hint !== undefined) ws.print(`hint: ${outcome.error.hint}`);
      }
    }
    return outcome.exitCode;
  } finally {
    stop.dispose();
  }
}
