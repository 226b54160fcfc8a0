import type { Job } from 'bullmq';
import type { Logger } from '../contract/logger.js';
import type { PipelineSpec } from '../contract/pipeline.js';
import { delayJob } from './delay-job.js';
import type { ExclusiveUnits } from './exclusive-units.js';
import { parseRunJob } from './queue-jobs.js';

export interface RunJobOptions {
  readonly pipelines: ReadonlyMap<string, PipelineSpec>;
  readonly units: ExclusiveUnits;
  /** Graceful stop of the worker: runs stop at their checkpoint and their jobs go back on the queue. */
  readonly signal: AbortSignal;
  /** How long a job whose unit runs elsewhere waits before it asks again. */
  readonly lockRetryMs: number;
  readonly log: Logger;
}

/**
 * Processes a run job: runs its unit from the store's checkpoint. A unit that runs elsewhere, or a run stopped
 * before its end (this worker stopping, the unit's lock lost), puts the job back on the queue, so that a worker
 * resumes it from the checkpoint.
 */
export async function processRunJob(job: Job, token: string | undefined, options: RunJobOptions): Promise<void> {
  const data = parseRunJob(job.data);
  const pipeline = options.pipelines.get(data.pipeline);
  const log = options.log.child({ job: job.id, pipeline: data.pipeline, ...(data.partition === '' ? {} : { partition: data.partition }) });
  if (pipeline === undefined) {
    log.warn("a run job names a pipeline this worker's project does not have: dropped (is the worker on the same ferry.yaml as serve?)");
    return;
  }
  const outcome = await options.units.run(
    { pipeline: data.pipeline, partition: data.partition },
    { pipeline, source: data.trigger, trigger: data.trigger, signal: options.signal },
  );
  if (outcome.kind === 'busy') throw await delayJob(job, token, Date.now() + options.lockRetryMs);
  if (outcome.kind === 'finished' && outcome.result.status === 'stopped') {
    log.info({ runId: outcome.result.runId }, 'run stopped at its checkpoint: its job goes back on the queue');
    throw await delayJob(job, token, options.signal.aborted ? Date.now() : Date.now() + options.lockRetryMs);
  }
}
