import { setMaxListeners } from 'node:events';

/**
 * SIGINT/SIGTERM handling for commands that run work: the first signal asks for a graceful stop (the engine
 * stops reading, lets in-flight records finish and commits); a second one exits at once.
 */
export interface GracefulStop {
  readonly signal: AbortSignal;
  /** Settles when the first signal arrives (long-running commands wait on it). */
  readonly stopped: Promise<void>;
  /** Removes the handlers (the process gets the default behaviour back). */
  dispose(): void;
}

export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface GracefulStopOptions {
  readonly source: SignalSource;
  /** Told once, when the first signal arrives. */
  readonly onStopping: (signal: NodeJS.Signals) => void;
  /** Called on the second signal; the process exits at once. */
  readonly onForce: (signal: NodeJS.Signals) => void;
}

export function installGracefulStop(options: GracefulStopOptions): GracefulStop {
  const controller = new AbortController();
  // Every run going at once listens on it (its engine and its hard stop), and partitions run many at once.
  setMaxListeners(0, controller.signal);
  const stopped = new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  const handler = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      options.onForce(signal);
      return;
    }
    controller.abort(new Error(`stopped by ${signal}`));
    options.onStopping(signal);
  };
  options.source.on('SIGINT', handler);
  options.source.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    stopped,
    dispose() {
      options.source.off('SIGINT', handler);
      options.source.off('SIGTERM', handler);
    },
  };
}
