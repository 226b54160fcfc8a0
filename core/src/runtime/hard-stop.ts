/** A signal that aborts HTTP calls in flight, derived from a graceful stop; `dispose` when the run is over. */
export interface HardStop {
  readonly signal: AbortSignal;
  dispose(): void;
}

export interface HardStopOptions {
  /** How long a graceful stop may take before the calls still in flight are aborted; 0 aborts at once. */
  readonly drainMs: number;
  /** Fires the hard stop at once (a second Ctrl-C, a caller's own deadline). */
  readonly now?: AbortSignal | undefined;
}

function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

/**
 * The hard stop behind a graceful one. A graceful stop lets the records in flight finish — which needs their
 * HTTP calls — so it must not abort those calls; this signal does, `drainMs` after the graceful stop (a call
 * queued behind a spent daily quota would otherwise hold the stop for hours), or as soon as `now` fires.
 */
export function hardStopSignal(graceful: AbortSignal, options: HardStopOptions): HardStop {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  // An AbortError whatever the cause: callers (the engine among them) read it as "stopped", not as a failure.
  const abort = (message: string): void => {
    if (!controller.signal.aborted) controller.abort(new DOMException(message, 'AbortError'));
  };
  const onGraceful = (): void => {
    if (options.drainMs <= 0) {
      abort('stopped');
      return;
    }
    timer = setTimeout(() => abort(`calls still in flight ${formatSeconds(options.drainMs)} after the stop were aborted`), options.drainMs);
    timer.unref();
  };
  const onNow = (): void => abort('stopped at once');
  if (graceful.aborted) onGraceful();
  else graceful.addEventListener('abort', onGraceful, { once: true });
  if (options.now?.aborted === true) onNow();
  else options.now?.addEventListener('abort', onNow, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      graceful.removeEventListener('abort', onGraceful);
      options.now?.removeEventListener('abort', onNow);
    },
  };
}
