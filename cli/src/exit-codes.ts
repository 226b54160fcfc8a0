import { isFerryError } from '@ferry/core';
import type { RunStatus } from '@ferry/core';

/** The process exit codes of every command; the README and `ferry --help` list the same table. */
export const ExitCode = {
  ok: 0,
  /** The run finished but some records went to the dead-letter queue. */
  partial: 1,
  /** Invalid usage or configuration: nothing ran. */
  usage: 2,
  /** A systemic failure stopped the run (auth, quota, store, unexpected error). */
  failed: 3,
  /** Stopped by SIGINT/SIGTERM after in-flight work finished and was committed. */
  stopped: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    finished with dead letters (partial: see \`ferry dlq list\`)
  2    invalid usage or configuration (nothing ran)
  3    run failed: a systemic error (auth, quota, store) or an unexpected one
  130  stopped by SIGINT/SIGTERM after in-flight work finished and was committed`;

/** Error codes that mean "the command or its files are wrong", as opposed to "the run failed". */
const USAGE_ERROR_CODES: ReadonlySet<string> = new Set([
  'PROJECT_NOT_FOUND',
  'PIPELINE_NOT_FOUND',
  'CONNECTOR_NOT_FOUND',
  'SANDBOX_NOT_AVAILABLE',
  'USAGE_INVALID',
]);

export function exitCodeForError(error: unknown): ExitCodeValue {
  if (!isFerryError(error)) return ExitCode.failed;
  if (error.code.startsWith('CONFIG_') || USAGE_ERROR_CODES.has(error.code)) return ExitCode.usage;
  return ExitCode.failed;
}

export function exitCodeForStatus(status: RunStatus): ExitCodeValue {
  switch (status) {
    case 'succeeded':
      return ExitCode.ok;
    case 'partial':
      return ExitCode.partial;
    case 'stopped':
      return ExitCode.stopped;
    case 'failed':
    case 'running':
      return ExitCode.failed;
  }
}

/** Severity order used when several pipelines run in one command: the worst outcome decides the exit code. */
const SEVERITY: readonly ExitCodeValue[] = [ExitCode.ok, ExitCode.partial, ExitCode.failed, ExitCode.usage, ExitCode.stopped];

export function worstExitCode(codes: Iterable<ExitCodeValue>): ExitCodeValue {
  let worst: ExitCodeValue = ExitCode.ok;
  for (const code of codes) if (SEVERITY.indexOf(code) > SEVERITY.indexOf(worst)) worst = code;
  return worst;
}
