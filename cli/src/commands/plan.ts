import { Option, type Command } from 'commander';
import { combineRunSummaries, type PlanEntry } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, worstExitCode, type ExitCodeValue } from '../exit-codes.js';
import { collectParam, parsePositiveInteger, parseTimeScale } from '../option-parsers.js';
import { formatPlanEntry, formatPlanTotals, formatSkipped } from '../plan-format.js';
import { outcomeToJson } from '../run-report.js';
import { DEFAULT_PARTITIONS_CONCURRENCY, runPipelineUnits } from '../run-pipeline-units.js';
import { partitionName } from '../summary.js';

export interface PlanOptions {
  readonly full?: boolean;
  readonly limit?: number;
  readonly param?: Readonly<Record<string, unknown>>;
  readonly all?: boolean;
  readonly partition?: string;
  readonly partitionsConcurrency: number;
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
    .option('--partition <id>', 'plan only this partition of a partitioned pipeline')
    .option('--partitions-concurrency <n>', 'partitions planned at once', parsePositiveInteger, DEFAULT_PARTITIONS_CONCURRENCY)
    .addOption(new Option('--time-scale <factor>', 'run rate windows this many times faster').hideHelp().argParser(parseTimeScale))
    .action(async (name: string, options: PlanOptions, command: Command) =>
      invocation.run(command, (ws) => planCommand(ws, invocation, name, options)),
    );
}

type Counts = Record<PlanEntry['outcome'], number>;

/** What one unit's plan gathered: its counts, its entries (--json), the lines to print and the skipped ids. */
interface UnitPlan {
  readonly counts: Counts;
  readonly entries: PlanEntry[];
  readonly lines: string[];
  readonly skipped: string[];
}

const PLAN_OUTCOMES = ['create', 'update', 'unchanged', 'skip', 'error'] as const satisfies readonly PlanEntry['outcome'][];

function emptyCounts(): Counts {
  return { create: 0, update: 0, unchanged: 0, skip: 0, error: 0 };
}

async function planCommand(ws: Workspace, invocation: Invocation, name: string, options: PlanOptions): Promise<ExitCodeValue> {
  const pipeline = ws.pipeline(name);
  const mode = options.full === true ? 'full' : pipeline.from.sync;
  ws.say(`plan for ${pipeline.name} (${mode} sync; nothing is written)`);
  const partitioned = ws.project().connections[pipeline.from.connection]?.partitions !== undefined;
  const plans = new Map<string, UnitPlan>();
  const stop = invocation.gracefulStop(ws, 'finishing the records in flight');
  const json: Record<string, unknown>[] = [];
  try {
    const units = await runPipelineUnits(ws, pipeline, {
      signal: stop.signal,
      mode: options.full === true ? 'full' : undefined,
      dryRun: true,
      limit: options.limit,
      params: options.param,
      timeScale: options.timeScale,
      partition: options.partition,
      concurrency: options.partitionsConcurrency,
      planOf(unit) {
        const plan: UnitPlan = { counts: emptyCounts(), entries: [], lines: [], skipped: [] };
        plans.set(unit.partition, plan);
        // An unpartitioned plan prints as it goes; partitions print whole, one after another, as each ends.
        const print = partitioned ? (lines: string[]) => plan.lines.push(...lines) : (lines: string[]) => ws.print(lines);
        return (entry) => {
          plan.counts[entry.outcome] += 1;
          if (ws.options.json) plan.entries.push(entry);
          else if (options.all === true || entry.outcome === 'create' || entry.outcome === 'update' || entry.outcome === 'error') print(formatPlanEntry(entry));
          else if (entry.outcome === 'skip') plan.skipped.push(entry.sourceId ?? '(no id)');
        };
      },
      onOutcome(unit, outcome, refusal) {
        // An unpartitioned pipeline refused before reading fails the command with its error (below).
        if (!partitioned && refusal !== undefined) return;
        const plan = plans.get(unit.partition) ?? { counts: emptyCounts(), entries: [], lines: [], skipped: [] };
        if (ws.options.json) {
          json.push({ ...outcomeToJson(outcome), counts: plan.counts, entries: plan.entries });
          return;
        }
        if (partitioned) ws.print(['', `partition ${partitionName(outcome)}`, ...plan.lines]);
        if (plan.skipped.length > 0) ws.print(formatSkipped(plan.skipped));
        ws.print(formatPlanTotals(outcome.summary, plan.counts));
        if (outcome.error !== undefined) {
          ws.print(`error: ${outcome.error.message}`);
          if (outcome.error.hint !== undefined) ws.print(`hint: ${outcome.error.hint}`);
        }
      },
    });
    // Refused before reading (a token without the scope, a discovery that failed): the error, as for any command.
    if (units.firstError !== undefined && (!partitioned || units.refused !== undefined)) throw units.firstError;
    const outcomes = units.outcomes;
    if (!partitioned) {
      const [outcome] = outcomes;
      if (ws.options.json && outcome !== undefined) ws.emitJson(json[0] ?? outcomeToJson(outcome));
      return outcome?.exitCode ?? ExitCode.stopped;
    }
    const counts = emptyCounts();
    for (const plan of plans.values()) for (const key of PLAN_OUTCOMES) counts[key] += plan.counts[key];
    const summary = combineRunSummaries(outcomes.map((outcome) => outcome.summary));
    const exitCode = worstExitCode([...outcomes.map((outcome) => outcome.exitCode), ...(units.notStarted.length > 0 ? [ExitCode.stopped] : [])]);
    if (ws.options.json) {
      ws.emitJson({ pipeline: pipeline.name, dryRun: true, exitCode, counts, summary, partitions: json, notStarted: units.notStarted });
    } else {
      ws.print(['', `all ${outcomes.length} partition${outcomes.length === 1 ? '' : 's'}: ${formatPlanTotals(summary, counts)}`]);
      if (units.notStarted.length > 0) ws.note(`partitions not planned (stopped first): ${units.notStarted.join(', ')}`);
    }
    return exitCode;
  } finally {
    stop.dispose();
  }
}
