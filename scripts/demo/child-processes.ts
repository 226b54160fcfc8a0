import type { ChildProcess } from 'node:child_process';
import { spawnFerry, type FerryOutput, type FerryProcess } from '../../test/support/ferry-cli.js';

const STOP_GRACE_MS = 5_000;

/**
 * The `ferry` processes the demo starts: long-running ones (sandboxes, the service) and commands (runs, plans).
 * Each one still running is stopped by its PID when the demo ends — normally, on an error, or on Ctrl-C / SIGTERM
 * — so nothing is left listening on a port or writing to the state.
 */
export class ChildProcesses {
  readonly #running = new Set<ChildProcess>();
  #stopping = false;

  /** True once a signal asked the demo to stop: the commands it interrupts fail, and that is no error to report. */
  get stopping(): boolean {
    return this.#stopping;
  }

  constructor() {
    // Last resort when the demo exits without stopping them (an uncaught error): no child may outlive it.
    process.once('exit', () => {
      for (const child of this.#running) if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    });
  }

  /** Runs the command `ferry <args>` to completion. */
  run(args: readonly string[], cwd: string, env: Readonly<Record<string, string>>): Promise<FerryOutput> {
    return this.start(args, cwd, env, 120_000).exited;
  }

  /** Starts `ferry <args>` and keeps it until it exits, `stop` or `stopAll`. */
  start(args: readonly string[], cwd: string, env: Readonly<Record<string, string>>, timeoutMs = 600_000): FerryProcess {
    const started = spawnFerry(args, { cwd, env, timeoutMs });
    this.#running.add(started.child);
    started.child.once('close', () => this.#running.delete(started.child));
    // Failures surface where the caller waits for the process; this only keeps the promise from being unhandled.
    started.exited.catch(() => undefined);
    return started;
  }

  /** SIGTERM (a graceful stop for `ferry serve`), then SIGKILL if it has not exited within a few seconds. */
  stop(started: FerryProcess): Promise<void> {
    return this.#stop(started.child);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#running].map((child) => this.#stop(child)));
  }

  async #stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    }, STOP_GRACE_MS);
    await closed;
    clearTimeout(timer);
  }

  /** Ctrl-C or SIGTERM: stop every child, then exit 130 as a stopped command does. */
  stopAllOnSignals(): void {
    const onSignal = (signal: NodeJS.Signals): void => {
      this.#stopping = true;
      process.stderr.write(`\n${signal}: stopping the sandboxes and the service…\n`);
      void this.stopAll().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
}
