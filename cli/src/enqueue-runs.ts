import { createPartitionDirectory, expandPipeline, FerryError, RunQueueProducer, type PipelineSpec, type RunUnit } from '@ferry/core';
import { queueUrlOf } from './commands/worker.js';
import { unitRuntime } from './execute-pipeline.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import type { Workspace } from './workspace.js';

export interface EnqueueRequest {
  /** `--queue` alone (true): the `redis:` of ferry.yaml. */
  readonly queue: string | true;
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

/**
 * `ferry run --queue`: puts a run of every unit of each pipeline (one per partition) on the run queue for
 * `ferry worker`s and returns without waiting for them. A unit whose run already waits on the queue keeps that
 * one request.
 */
export async function enqueueRuns(ws: Workspace, pipelines: readonly PipelineSpec[], request: EnqueueRequest): Promise<ExitCodeValue> {
  const project = ws.project();
  const url = queueUrlOf(request.queue === true ? undefined : request.queue, project, 'ferry run --queue');
  const log = ws.logger().logger;
  const producer = await RunQueueProducer.connect({ url, prefix: request.prefix, log });
  const enqueued: RunUnit[] = [];
  try {
    for (const pipeline of pipelines) {
      if (request.signal.aborted) break;
      // Discovered partitions are listed through the connection's own context, as a run would.
      const directory = createPartitionDirectory(unitRuntime(ws, request.signal, request.timeScale));
      try {
        const units = await expandPipeline(pipeline, directory, request.partition === undefined ? {} : { partition: request.partition });
        for (const unit of units) {
          await producer.requestRun({ pipeline: pipeline.name, partition: unit.partition }, 'request');
          enqueued.push({ pipeline: pipeline.name, partition: unit.partition });
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
    ws.print([`enqueued ${enqueued.length} run${enqueued.length === 1 ? '' : 's'} on ${producer.where} (prefix ${producer.prefix}) for \`ferry worker\`s:`]);
    for (const pipeline of pipelines) {
      const partitions = enqueued.filter((unit) => unit.pipeline === pipeline.name).map((unit) => unit.partition);
      if (partitions.length === 0) continue;
      const count = `${partitions.length} partition${partitions.length === 1 ? '' : 's'}`;
      ws.print(partitions.length === 1 && partitions[0] === '' ? `  ${pipeline.name}` : `  ${pipeline.name}: ${count} (${partitions.join(', ')})`);
    }
    ws.print('  `ferry status` shows their runs as the workers take them');
  }
  if (notQueued.length > 0) ws.note(`not queued (stopped first, or no partitions): ${notQueued.join(', ')}`);
  return notQueued.length > 0 && request.signal.aborted ? ExitCode.stopped : ExitCode.ok;
}

/** A usage error for run options a queued run would silently drop. */
export function queueConflict(options: readonly string[]): FerryError {
  return new FerryError('USAGE_INVALID', `--queue cannot be combined with ${options.join(', ')}: a queued run reads from its checkpoint like a scheduled one`, {
    hint: `leave out ${options.join(', ')}, or run without --queue to run here`,
  });
}
