import { isConfigError, isFerryError } from '@ferry/core';
import type { Logger } from '@ferry/core';

export interface ErrorReportOptions {
  /** Absolute path of the log file, when the log goes to one. */
  readonly logFile: string | undefined;
  /** Whether the stack trace is in the log (only at --log-level debug or trace). */
  readonly stackLogged: boolean;
}

/** The first line of a message: a person reads one line, never a stack. */
function firstLine(text: string): string {
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  return line === '' ? '(no message)' : line;
}

function problemLines(error: { readonly message: string; readonly hint: string | undefined }): string[] {
  return error.hint === undefined ? [`error: ${error.message}`] : [`error: ${error.message}`, `hint: ${error.hint}`];
}

/** What a person sees on stderr for an error: `error: …` and `hint: …`, never a stack trace. */
export function formatError(error: unknown, options: ErrorReportOptions): string[] {
  if (isConfigError(error)) return [error, ...error.others].flatMap((problem) => problemLines(problem));
  if (isFerryError(error)) return problemLines(error);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const where =
    options.logFile !== undefined
      ? `the log has the details: ${options.logFile}`
      : options.stackLogged
        ? 'the stack trace is in the log above'
        : 'rerun with --log-level debug to log the stack trace';
  return [`error: unexpected failure: ${firstLine(message)}`, `hint: ${where}`];
}

/** Logs an error at `level`: code and message; the stack trace only at debug level. */
export function logError(log: Logger, error: unknown, context: string, level: 'error' | 'debug' = 'error'): void {
  if (isFerryError(error)) {
    log[level]({ code: error.code, hint: error.hint, details: error.details }, `${context}: ${error.message}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    log[level]({ errorName: error instanceof Error ? error.name : typeof error }, `${context}: ${message}`);
  }
  log.debug({ err: error }, `${context}: stack trace`);
}
