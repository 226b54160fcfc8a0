import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys whose values never reach a log line, at the top level and two levels down. */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'clientSecret',
  'client_secret',
  'secret',
  'password',
  'apiKey',
  'api_key',
];

export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export interface CliLoggerOptions {
  /** `--log-level`; undefined picks `info` for a file and `warn` for the terminal. */
  readonly level?: string | undefined;
  /** `--log-file` (or the project's `log.file`); undefined logs to stderr. */
  readonly file?: string | undefined;
  /** Where stderr logs go (tests pass a buffer). */
  readonly stderr?: DestinationStream;
}

export interface CliLogger {
  readonly logger: PinoLogger;
  readonly level: string;
  /** Absolute path of the log file, or undefined when logging to stderr. */
  readonly file: string | undefined;
}

export function defaultLogLevel(file: string | undefined): LogLevel {
  return file === undefined ? 'warn' : 'info';
}

/** pino JSON lines, secrets redacted; synchronous writes so a crash or a second Ctrl-C loses no line. */
export function createCliLogger(options: CliLoggerOptions): CliLogger {
  const level = options.level ?? defaultLogLevel(options.file);
  let destination: DestinationStream;
  if (options.file === undefined) {
    destination = options.stderr ?? pino.destination({ dest: 2, sync: true });
  } else {
    mkdirSync(dirname(options.file), { recursive: true });
    destination = pino.destination({ dest: options.file, sync: true, append: true });
  }
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
  return { logger, level, file: options.file };
}
