import {
  combineHttpStats,
  createPartitionDirectory,
  expandPipeline,
  hardStopSignal,
  runBounded,
  type PipelineSpec,
  type PipelineUnit,
  type PlanEntry,
  type RunCallStats,
  type RunProgress,
} from '@ferry/core';
import { DRAIN_TIMEOUT_MS, executeUnit, unitRuntime, type PipelineRunRequest } from './execute-pipeline.js';
import { createProgressDisplay, progressMode, type ProgressSnapshot } from './progress.js';
import { outcomeOfError, outcomeOfResult, type PipelineOutcome, type ReportedPartition } from './run-report.js';
import type { Workspace } from './workspace.js';

/** Partitions of one pipeline that run at once unless `--partitions-concurrency` says otherwise. */
export const DEFAULT_PARTITIONS_CONCURRENCY = 4;

export interface UnitsRequest extends PipelineRunRequest {
  /** Only this partition (`--partition`). */
  readonly partition?: string | undefined;
  /** Partitions run at once. */
  readonly concurrency: number;
  /** Called as each unit ends, in the order they end; `refusal` is the error of a unit refused before reading. */
  readonly onOutcome?: ((unit: PipelineUnit, outcome: PipelineOutcome, refusal: unknown) => void) | undefined;
  /** Where the plan entries of one unit go (`ferry plan`). */
  readonly planOf?: ((unit: PipelineUnit) => (entry: PlanEntry) => void) | undefined;
  /** Narrows the units to run; called once with every unit of the pipeline (after `partition`). Default: all. */
  readonly chooseUnits?: ((units: readonly PipelineUnit[]) => PipelineUnit[]) | undefined;
  /** What one unit replays, when each replays its own dead letters (those of its partition). Default: `replay`. */
  readonly replayOf?: ((unit: PipelineUnit) => PipelineRunRequest['replay']) | undefined;
}

export interface UnitsResult {
  /** The source connection declares partitions (each unit is one of them). */
  readonly partitioned: boolean;
  /** One per unit that ran or was refused, in the units' order. */
  readonly outcomes: readonly PipelineOutcome[];
  /** Partitions a stop left for the next run. */
  readonly notStarted: readonly string[];
  /** The pipeline could not be split into units (discovery failed, an unknown `--partition`): nothing ran. */
  readonly refused?: PipelineOutcome;
  /** The error behind the first refusal (of the pipeline, or of a unit before it read anything). */
  readonly firstError?: unknown;
  /** Calls no partition's run counts: discovery, and the destinations the partitions share. */
  readonly sharedCalls: RunCallStats;
}

function reported(unit: PipelineUnit): ReportedPartition | undefined {
  return unit.partition === '' ? undefined : { id: unit.partition, label: unit.label };
}

/** The progress of units running side by side, as one: their counts add up. */
function summedProgress(latest: ReadonlyMap<number, RunProgress>, units: number): ProgressSnapshot {
  let read = 0;
  let written = 0;
  let deadLettered = 0;
  let recordsPerSecond = 0;
  let total: number | undefined = 0;
  for (const progress of latest.values()) {
    read += progress.read;
    written += progress.written;
    deadLettered += progress.deadLettered;
    recordsPerSecond += progress.recordsPerSecond;
    total = total === undefined || progress.total === undefined ? undefined : total + progress.total;
  }
  // A total is known only once every unit has said how many records it will read.
  return { read, written, deadLettered, recordsPerSecond, ...(total === undefined || latest.size < units ? {} : { total }) };
}

/**
 * Runs a pipeline as its units: one per partition of its source connection (at most `concurrency` at once,
 * each with its own checkpoint, run, contexts and token), or the one unit of an unpartitioned pipeline. A
 * stop lets the running partitions finish and starts no more.
 */
export async function runPipelineUnits(ws: Workspace, pipeline: PipelineSpec, request: UnitsRequest): Promise<UnitsResult> {
  const dryRun = request.dryRun === true;
  const partitioned = ws.project().connections[pipeline.from.connection]?.partitions !== undefined;
  // The graceful stop lets the records in flight finish; their HTTP calls are aborted only after the drain time
  // (a second Ctrl-C exits at once).
  const hardStop = hardStopSignal(request.signal, { drainMs: DRAIN_TIMEOUT_MS });
  const runtime = unitRuntime(ws, hardStop.signal, request.timeScale);
  const directory = createPartitionDirectory(runtime);
  const mode = progressMode({ enabled: ws.options.progress, isTTY: ws.io.stderr.isTTY === true });
  let display = createProgressDisplay({ label: pipeline.name, mode: 'off', stream: ws.io.stderr });
  try {
    let units: PipelineUnit[];
    try {
      units = await expandPipeline(pipeline, directory, request.partition === undefined ? {} : { partition: request.partition });
    } catch (error) {
      const refused = outcomeOfError(pipeline.name, error, dryRun) ?? rethrow(error);
      return { partitioned, outcomes: [], notStarted: [], refused, firstError: error, sharedCalls: combineHttpStats(directory.stats()) };
    }
    if (request.chooseUnits !== undefined) units = request.chooseUnits(units);
    const label = units.length === 1 ? pipeline.name : `${pipeline.name} (${units.length} partitions)`;
    display = createProgressDisplay({ label, mode, stream: ws.io.stderr });
    const latest = new Map<number, RunProgress>();
    let firstError: unknown;
    const outcomes = await runBounded(
      units,
      request.concurrency,
      async (unit, index) => {
        let outcome: PipelineOutcome;
        let refusal: unknown;
        try {
          const onPlan = request.planOf?.(unit) ?? request.onPlan;
          const replay = request.replayOf === undefined ? request.replay : request.replayOf(unit);
          const result = await executeUnit(ws, unit, { ...request, onPlan, replay }, {
            runtime,
            directory,
            onProgress: (progress) => {
              latest.set(index, progress);
              display.update(summedProgress(latest, units.length));
            },
          });
          outcome = outcomeOfResult(pipeline.name, result, dryRun, reported(unit));
        } catch (error) {
          // A FerryError before the first record (no token for a partition, …) fails this unit only.
          outcome = outcomeOfError(pipeline.name, error, dryRun, reported(unit)) ?? rethrow(error);
          refusal = error;
          firstError ??= error;
        }
        request.onOutcome?.(unit, outcome, refusal);
        return outcome;
      },
      () => !request.signal.aborted,
    );
    return {
      partitioned,
      outcomes: outcomes.filter((outcome) => outcome !== undefined),
      notStarted: units.filter((_, index) => outcomes[index] === undefined).map((unit) => unit.partition),
      ...(firstError === undefined ? {} : { firstError }),
      sharedCalls: combineHttpStats(directory.stats()),
    };
  } finally {
    hardStop.dispose();
    display.stop();
    await directory.close();
  }
}

function rethrow(error: unknown): never {
  throw error;
}
