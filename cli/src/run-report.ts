import { combineRunSummaries, isFerryError, type RunResult, type RunSummary } from '@ferry/core';
import { exitCodeForError, exitCodeForStatus, type ExitCodeValue } from './exit-codes.js';
import type { RunReport } from './summary.js';

/** A run that did nothing: every count 0. */
export const EMPTY_SUMMARY: RunSummary = combineRunSummaries([]);

/** A run as the CLI reports it (text and --json), with the exit code it implies. */
export interface PipelineOutcome extends RunReport {
  readonly exitCode: ExitCodeValue;
}

/** The partition a unit ran in, for reports (undefined for unpartitioned pipelines). */
export interface ReportedPartition {
  readonly id: string;
  readonly label?: string | undefined;
}

function partitionFields(partition: ReportedPartition | undefined): Pick<RunReport, 'partition' | 'partitionLabel'> {
  if (partition === undefined) return {};
  return { partition: partition.id, ...(partition.label === undefined ? {} : { partitionLabel: partition.label }) };
}

export function outcomeOfResult(pipeline: string, result: RunResult, dryRun: boolean, partition?: ReportedPartition): PipelineOutcome {
  return {
    pipeline,
    ...partitionFields(partition),
    runId: result.runId,
    status: result.status,
    summary: result.summary,
    dryRun,
    error: result.error === undefined ? undefined : { code: result.error.code, message: result.error.message, hint: result.error.hint },
    exitCode: result.error !== undefined && result.status === 'failed' ? exitCodeForError(result.error) : exitCodeForStatus(result.status),
  };
}

/** A pipeline that could not start (its connection has no token, …): a failed run with nothing read. */
export function outcomeOfError(pipeline: string, error: unknown, dryRun: boolean, partition?: ReportedPartition): PipelineOutcome | undefined {
  if (!isFerryError(error)) return undefined;
  return {
    pipeline,
    ...partitionFields(partition),
    runId: undefined,
    status: 'failed',
    summary: EMPTY_SUMMARY,
    dryRun,
    error: { code: error.code, message: error.message, hint: error.hint },
    exitCode: exitCodeForError(error),
  };
}

export function outcomeToJson(outcome: PipelineOutcome): Record<string, unknown> {
  return {
    pipeline: outcome.pipeline,
    ...(outcome.partition === undefined ? {} : { partition: outcome.partition, partitionLabel: outcome.partitionLabel ?? null }),
    runId: outcome.runId ?? null,
    status: outcome.status,
    dryRun: outcome.dryRun === true,
    exitCode: outcome.exitCode,
    summary: outcome.summary,
    error: outcome.error ?? null,
  };
}
