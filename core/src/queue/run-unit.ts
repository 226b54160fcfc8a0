import type { PipelineSpec } from '../contract/pipeline.js';
import { createPartitionDirectory, type UnitRuntime } from '../runtime/partition-directory.js';
import { expandPipeline } from '../runtime/pipeline-units.js';
import type { RunExecutor, RunOutcome, RunRequest } from '../service/run-executor.js';
import type { RunUnit } from './queue-names.js';

/** The units a tick of `pipeline` runs: one per partition of its source connection, or the pipeline alone (''). */
export async function unitsOf(pipeline: PipelineSpec, runtime: UnitRuntime): Promise<RunUnit[]> {
  const directory = createPartitionDirectory(runtime);
  try {
    return (await expandPipeline(pipeline, directory)).map((unit) => ({ pipeline: pipeline.name, partition: unit.partition }));
  } finally {
    await directory.close();
  }
}

/** Runs one unit of work of the queue: the one place a queued (pipeline, partition) is executed. */
export function executeUnit(execute: RunExecutor, unit: RunUnit, request: Omit<RunRequest, 'partition'>): Promise<RunOutcome> {
  return execute({ ...request, ...(unit.partition === '' ? {} : { partition: unit.partition }) });
}
