import type { SignalSource } from './graceful-stop.js';

/** The outside world of one CLI invocation; `main.ts` passes the process, unit tests pass buffers. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly signals: SignalSource;
  /** Leaves at once (second Ctrl-C). */
  readonly exit: (code: number) => void;
  /** Registers what to do with an error nothing caught (an uncaught exception, an unhandled rejection). */
  readonly onFatal?: (handler: (error: unknown) => void) => void;
}

export function processIo(): CliIo {
  // `ferry dlq list --records | head`: the reader left; stop quietly instead of failing on EPIPE.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    signals: process,
    exit: (code) => process.exit(code),
    onFatal(handler) {
      process.on('uncaughtException', handler);
      process.on('unhandledRejection', handler);
    },
  };
}
