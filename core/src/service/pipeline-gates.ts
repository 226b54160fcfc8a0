/** Gives the gate back; calling it twice is harmless. */
export type Release = () => void;

/**
 * One run at a time per pipeline, whatever starts it. A schedule tick asks with `tryAcquire` and is skipped when
 * the pipeline is busy; webhook batches `acquire` and wait their turn, first come first served.
 */
export class PipelineGates {
  /** Pipeline → what runs it now (`schedule`, `webhook`). */
  readonly #holders = new Map<string, string>();
  readonly #waiting = new Map<string, Array<{ source: string; grant: (release: Release) => void }>>();

  /** The gate of `pipeline` if it is free now, else undefined. */
  tryAcquire(pipeline: string, source: string): Release | undefined {
    if (this.#holders.has(pipeline)) return undefined;
    return this.#take(pipeline, source);
  }

  /** The gate of `pipeline` as soon as the runs before this one have finished. */
  acquire(pipeline: string, source: string): Promise<Release> {
    const now = this.tryAcquire(pipeline, source);
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<Release>((grant) => {
      const queue = this.#waiting.get(pipeline) ?? [];
      queue.push({ source, grant });
      this.#waiting.set(pipeline, queue);
    });
  }

  /** Pipelines running now, with what started each one. */
  running(): ReadonlyMap<string, string> {
    return new Map(this.#holders);
  }

  /** What holds `pipeline` now (for a log line that says why a tick was skipped). */
  holder(pipeline: string): string | undefined {
    return this.#holders.get(pipeline);
  }

  #take(pipeline: string, source: string): Release {
    this.#holders.set(pipeline, source);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holders.delete(pipeline);
      const queue = this.#waiting.get(pipeline);
      const next = queue?.shift();
      if (queue !== undefined && queue.length === 0) this.#waiting.delete(pipeline);
      if (next !== undefined) next.grant(this.#take(pipeline, next.source));
    };
  }
}
