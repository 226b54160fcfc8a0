import { createPartitionDirectory, expandPipeline, FerryError, RunQueueProducer, type PipelineSpec, type RunRequestOutcome, type RunUnit } from '@ferry/core';
import { queuePrefixOf, queueUrlOf } from './commands/worker.js';
import { unitRuntime } from './execute-pipeline.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import type { Workspace } from './workspace.js';

export interface EnqueueRequest {
  /** `--queue` alone (true): the `redis:` of ferry.yaml. */
  readonly queue: string | true;
  /** `--queue-prefix`; absent: ferry.yaml's `redis.prefix`, else the default. */
  readonly prefix?: string | undefined;
  /** Only this partition (`--partition`). */
  readonly partition?: string | undefined;
  /** Stops before the next pipeline is listed. */
  readonly signal: AbortSignal;
  /** Rate windows of discovery calls (`partitions: discover`) run this many times faster. */
  readonly timeScale?: number | undefined;
}

/** Run options a queued run cannot carry: a job names only its pipeline and partition. */
export function optionsTheQueueCannotCarry(options: { readonly full?: boolean; readonly dryRun?: boolean; readonly limit?: number; readonly param?: unknown }): string[] {
  return [
    ...(options.full === true ? ['--full'] : []),
    ...(options.dryRun === true ? ['--dry-run'] : []),
    ...(options.limit === undefined ? [] : ['--limit']),
    ...(options.param === undefined ? [] : ['--param']),
  ];
}

/** A unit asked for on the queue, and what became of the request. */
export interface EnqueuedUnit extends RunUnit {
  readonly outcome: RunRequestOutcome;
}

/** How each outcome reads in the summary. */
const OUTCOME_WORDS: Readonly<Record<RunRequestOutcome, string>> = {
  queued: 'queued',
  joined: 'joined (a run of it already waits)',
  'queued-after-running': 'queued after the running one',
  'left-to-running': 'left to the running one',
};

/**
 * `ferry run --queue`: puts a run of every unit of each pipeline (one per partition) on the run queue for
 * `ferry worker`s and returns without waiting for them. A unit whose run already waits on the queue keeps that
 * one request; a unit that runs now gets one run more after it, which reads what changed meanwhile.
 */
export async function enqueueRuns(ws: Workspace, pipelines: readonly PipelineSpec[], request: EnqueueRequest): Promise<ExitCodeValue> {
  const project = ws.project();
  const url = queueUrlOf(request.queue === true ? undefined : request.queue, project, 'ferry run --queue');
  const log = ws.logger().logger;
  const producer = await RunQueueProducer.connect({ url, prefix: queuePrefixOf(request.prefix, project), log });
  const enqueued: EnqueuedUnit[] = [];
  try {
    for (const pipeline of pipelines) {
      if (request.signal.aborted) break;
      // Discovered partitions are listed through the connection's own context, as a run would.
      const directory = createPartitionDirectory(unitRuntime(ws, request.signal, request.timeScale));
      try {
        const units = await expandPipeline(pipeline, directory, request.partition === undefined ? {} : { partition: request.partition });
        for (const unit of units) {
          const outcome = await producer.requestRun({ pipeline: pipeline.name, partition: unit.partition }, 'request');
          enqueued.push({ pipeline: pipeline.name, partition: unit.partition, outcome });
        }
      } finally {
        await directory.close();
      }
    }
  } finally {
    await producer.close();
  }
  const notQueued = pipelines.map((p) => p.name).filter((name) => !enqueued.some((unit) => unit.pipeline === name));
  if (ws.options.json) {
    ws.emitJson({ queue: producer.where, prefix: producer.prefix, enqueued, notQueued });
  } else {
    ws.print([
      `asked for ${enqueued.length} run${enqueued.length === 1 ? '' : 's'} on ${producer.where} (prefix ${producer.prefix}) for \`ferry worker\`s:`,
      ...pipelines.flatMap((pipeline) => summaryLines(pipeline.name, enqueued.filter((unit) => unit.pipeline === pipeline.name))),
      '  `ferry status` shows their runs as the workers take them',
    ]);
  }
  if (notQueued.length > 0) ws.note(`not queued (stopped first, or no partitions): ${notQueued.join(', ')}`);
  return notQueued.length > 0 && request.signal.aborted ? ExitCode.stopped : ExitCode.ok;
}

/** One pipeline's lines: its outcome when unpartitioned, else its partitions grouped by outcome. */
function summaryLines(pipeline: string, units: readonly EnqueuedUnit[]): string[] {
  const [only] = units;
  if (only === undefined) return [];
  if (units.length === 1 && only.partition === '') return [`  ${pipeline}: ${OUTCOME_WORDS[only.outcome]}`];
  const lines = [`  ${pipeline}: ${units.length} partition${units.length === 1 ? '' : 's'}`];
  for (const outcome of Object.keys(OUTCOME_WORDS) as RunRequestOutcome[]) {
    const partitions = units.filter((unit) => unit.outcome === outcome).map((unit) => unit.partition);
    if (partitions.length > 0) lines.push(`    ${OUTCOME_WORDS[outcome]}: ${partitions.join(', ')}`);
  }
  return lines;
}

/** A usage error for run options a queued run would silently drop. */
export function queueConflict(options: readonly string[]): FerryError {
  return new FerryError('USAGE_INVALID', `--queue cannot be combined with ${options.join(', ')}: a queued run reads from its checkpoint like a scheduled one`, {
    hint: `leave out ${options.join(', ')}, or run without --queue to run here`,
  });
}
