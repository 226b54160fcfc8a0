import { CommanderError } from 'commander';
import { isFerryError, type ConnectorRegistry } from '@ferry/core';
import type { CliIo } from './cli-io.js';
import { ExitCode, exitCodeForError } from './exit-codes.js';
import { Invocation } from './invocation.js';
import { buildProgram } from './program.js';
import { createRegistry } from './registry.js';
import { formatError, logError } from './report-error.js';

/** Commander's own exits: help and version are successes, everything else is a usage error. */
export function exitCodeForCommander(error: CommanderError): number {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) return ExitCode.ok;
  return ExitCode.usage;
}

/** Runs `ferry <argv>` and returns the exit code; errors become `error:`/`hint:` lines on stderr. */
export async function runCli(argv: readonly string[], io: CliIo, registry: ConnectorRegistry = createRegistry()): Promise<number> {
  const invocation = new Invocation(io, registry);
  // A bug that escapes every await still ends like any other failure: one line, the log, exit 3.
  io.onFatal?.((error) => {
    reportError(invocation, error);
    io.exit(ExitCode.failed);
  });
  const program = buildProgram(invocation);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return invocation.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return exitCodeForCommander(error);
    reportError(invocation, error);
    return exitCodeForError(error);
  } finally {
    try {
      invocation.workspace?.close();
    } catch (error) {
      reportError(invocation, error);
    }
  }
}

function reportError(invocation: Invocation, error: unknown): void {
  const ws = invocation.workspace;
  let logFile: string | undefined;
  let stackLogged = false;
  if (ws !== undefined) {
    try {
      const { logger, file, level } = ws.logger();
      // On stderr the lines below say it all; a log file gets the record (and the stack at debug).
      logError(logger, error, 'command failed', file === undefined ? 'debug' : 'error');
      logFile = file;
      stackLogged = level === 'debug' || level === 'trace';
    } catch {
      // The log itself cannot be opened (bad --log-file path): the stderr lines below still say what failed.
    }
    if (ws.options.json) ws.emitJson({ error: errorJson(error) });
  }
  for (const line of formatError(error, { logFile, stackLogged })) invocation.io.stderr.write(`${line}\n`);
}

function errorJson(error: unknown): Record<string, unknown> {
  if (isFerryError(error)) return error.toJSON();
  return { code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error) };
}
