import type { DelayedError, Job } from 'bullmq';
import { bullmq } from './bullmq-library.js';

/**
 * Puts the job being processed back on its queue until `at` (now: at once, for any worker) and returns the error
 * the processor must throw, so that BullMQ leaves the job where it now is instead of completing it.
 */
export async function delayJob(job: Job, token: string | undefined, at: number): Promise<DelayedError> {
  await job.moveToDelayed(Math.max(at, Date.now()), token);
  return new (bullmq().DelayedError)();
}
