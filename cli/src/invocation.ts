import type { Command } from 'commander';
import type { ConnectorRegistry } from '@ferry/core';
import type { CliIo } from './cli-io.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';
import { installGracefulStop, type GracefulStop } from './graceful-stop.js';
import { Workspace, type GlobalOptions } from './workspace.js';

/** State of one `ferry …` call shared by its commands: the workspace to close and the exit code to return. */
export class Invocation {
  workspace: Workspace | undefined;
  exitCode: ExitCodeValue = ExitCode.ok;

  constructor(
    readonly io: CliIo,
    readonly registry: ConnectorRegistry,
  ) {}

  /** Runs a command's body with a workspace built from the global options. */
  async run(command: Command, body: (ws: Workspace) => Promise<ExitCodeValue> | ExitCodeValue): Promise<void> {
    const ws = new Workspace(this.io, globalOptions(command.optsWithGlobals()), this.registry);
    this.workspace = ws;
    this.exitCode = await body(ws);
  }

  /** First SIGINT/SIGTERM: graceful stop; second: exit 130 at once. */
  gracefulStop(ws: Workspace, what = 'finishing in-flight records and committing them'): GracefulStop {
    return installGracefulStop({
      source: this.io.signals,
      onStopping: (signal) => ws.note(`\n${signal}: stopping — ${what} (send it again to exit at once)`),
      onForce: (signal) => {
        ws.note(`${signal}: exiting now; uncommitted records are read again on the next run`);
        this.io.exit(ExitCode.stopped);
      },
    });
  }
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function globalOptions(raw: Readonly<Record<string, unknown>>): GlobalOptions {
  return {
    project: optionalString(raw['project']),
    logLevel: optionalString(raw['logLevel']),
    logFile: optionalString(raw['logFile']),
    json: raw['json'] === true,
    progress: raw['progress'] !== false,
  };
}
