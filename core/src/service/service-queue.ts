import type { PipelineSpec } from '../contract/pipeline.js';
import type { ScheduleInfo } from './pipeline-schedules.js';

/**
 * The run queue as the service uses it (`ferry serve --queue`; `RunQueueProducer` is one): schedules are armed
 * on it instead of in this process, and each stored webhook delivery asks a worker to drain its connection's inbox.
 */
export interface ServiceQueue {
  /** Where the queue is, without credentials (logs, /healthz). */
  readonly where: string;
  /** Arms every `schedule:` trigger on the queue; the schedules with their next tick. */
  armSchedules(pipelines: readonly PipelineSpec[], options: { readonly timezone?: string | undefined }): Promise<ScheduleInfo[]>;
  /** Asks a worker to process the connection's deliveries; `promote` also wakes a drainer waiting out a backoff. */
  drainInbox(connection: string, options?: { readonly promote?: boolean }): Promise<void>;
  /** Jobs per queue and state (`/metrics`). */
  depths(): Promise<ReadonlyMap<string, Readonly<Record<string, number>>>>;
}

/** How many inbox rows one sweep reads to find the connections with deliveries to process. */
export const INBOX_SWEEP_ROWS = 1_000;
