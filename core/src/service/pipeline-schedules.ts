import { Cron } from 'croner';
import type { Logger } from '../contract/logger.js';
import type { PipelineSpec } from '../contract/pipeline.js';
import { errorFields } from './error-fields.js';
import type { PipelineGates } from './pipeline-gates.js';
import type { RunExecutor } from './run-executor.js';
import type { ServiceMetrics } from './service-metrics.js';

export interface ScheduleInfo {
  readonly pipeline: string;
  readonly cron: string;
  /** Next tick, undefined once stopped. */
  readonly next: Date | undefined;
}

export interface PipelineSchedulesOptions {
  readonly pipelines: readonly PipelineSpec[];
  readonly gates: PipelineGates;
  readonly execute: RunExecutor;
  readonly metrics: ServiceMetrics;
  readonly log: Logger;
  /** Aborts scheduled runs (at the start of a stop). */
  readonly signal: AbortSignal;
  /** IANA time zone the cron expressions are read in; default the machine's. */
  readonly timezone?: string | undefined;
}

/**
 * The `schedule:` triggers, one croner job each. A tick runs the pipeline from its checkpoint (its `from.sync`
 * mode) — every partition of a partitioned pipeline, each from its own checkpoint. While the pipeline is running — from a tick or a webhook batch — a tick is skipped and counted, not
 * queued: the next tick reads everything the skipped one would have.
 */
export class PipelineSchedules {
  readonly #jobs: Array<{ readonly pipeline: string; readonly cron: string; readonly job: Cron }> = [];
  readonly #running = new Set<Promise<void>>();

  constructor(private readonly options: PipelineSchedulesOptions) {}

  start(): void {
    for (const pipeline of this.options.pipelines) {
      for (const on of pipeline.on) {
        if (on.schedule === undefined) continue;
        const cron = on.schedule;
        const job = new Cron(cron, { catch: true, ...(this.options.timezone === undefined ? {} : { timezone: this.options.timezone }) }, () => this.#tick(pipeline));
        this.#jobs.push({ pipeline: pipeline.name, cron, job });
        this.options.log.info({ pipeline: pipeline.name, cron, next: job.nextRun()?.toISOString() }, 'schedule armed');
      }
    }
  }

  /** No more ticks; runs in progress go on until their signal stops them (see `idle`). */
  stop(): void {
    for (const { job } of this.#jobs) job.stop();
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  describe(): ScheduleInfo[] {
    return this.#jobs.map(({ pipeline, cron, job }) => ({ pipeline, cron, next: job.nextRun() ?? undefined }));
  }

  #tick(pipeline: PipelineSpec): void {
    if (this.options.signal.aborted) return;
    const release = this.options.gates.tryAcquire(pipeline.name, 'schedule');
    if (release === undefined) {
      this.options.metrics.scheduleTick(pipeline.name, 'skipped');
      this.options.log.info({ pipeline: pipeline.name, runningFor: this.options.gates.holder(pipeline.name) }, 'schedule tick skipped: the pipeline is still running');
      return;
    }
    this.options.metrics.scheduleTick(pipeline.name, 'started');
    const run = this.options
      .execute({ pipeline, source: 'schedule', trigger: 'schedule', signal: this.options.signal })
      .then(() => undefined)
      .catch((error: unknown) => this.options.log.error({ pipeline: pipeline.name, error: errorFields(error) }, 'scheduled run failed unexpectedly'))
      .finally(() => {
        release();
        this.#running.delete(run);
      });
    this.#running.add(run);
  }
}
