import type { Job } from 'bullmq';
import type { Logger } from '../contract/logger.js';
import type { PipelineSpec } from '../contract/pipeline.js';
import type { UnitRuntime } from '../runtime/partition-directory.js';
import { parseTickJob } from './queue-jobs.js';
import type { RunQueueProducer } from './run-queue-producer.js';
import { unitsOf } from './run-unit.js';

export interface TickJobOptions {
  readonly pipelines: ReadonlyMap<string, PipelineSpec>;
  readonly producer: RunQueueProducer;
  /** Lists the partitions of a pipeline's source (some are discovered through the API). */
  readonly runtime: UnitRuntime;
  readonly log: Logger;
}

/**
 * Processes a schedule tick: one run job per unit of the pipeline. A unit whose run job is still waiting or
 * running keeps that one (coalesced): the run reads everything the tick would have.
 */
export async function processTickJob(job: Job, options: TickJobOptions): Promise<void> {
  const data = parseTickJob(job.data);
  const pipeline = options.pipelines.get(data.pipeline);
  // The tick the scheduler made this job for; several `serve` instances share one scheduler, so each tick comes once.
  const tick = new Date(job.opts.prevMillis ?? job.timestamp).toISOString();
  if (pipeline === undefined) {
    options.log.warn({ pipeline: data.pipeline, tick }, "a schedule tick names a pipeline this worker's project does not have: dropped");
    return;
  }
  const units = await unitsOf(pipeline, options.runtime);
  for (const unit of units) await options.producer.requestRun(unit, 'schedule');
  options.log.info({ pipeline: pipeline.name, tick, job: job.id, units: units.length }, 'schedule tick');
}
