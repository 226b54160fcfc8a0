import { isAbsolute, relative } from 'node:path';
import type { SourcePosition } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';

export type ConfigErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_SYNTAX'
  | 'CONFIG_SCHEMA'
  | 'CONFIG_UNKNOWN_KEY'
  | 'CONFIG_MISSING_ENV'
  | 'CONFIG_BAD_ENV_REFERENCE'
  | 'CONFIG_UNKNOWN_CONNECTION'
  | 'CONFIG_UNKNOWN_CONNECTOR'
  | 'CONFIG_UNKNOWN_STREAM'
  | 'CONFIG_UNKNOWN_ACTION'
  | 'CONFIG_UNKNOWN_TRIGGER'
  | 'CONFIG_TRIGGER_MISMATCH'
  | 'CONFIG_UNKNOWN_FIELD'
  | 'CONFIG_UNKNOWN_PARAM'
  | 'CONFIG_BAD_PARAMS'
  | 'CONFIG_UNKNOWN_OPTION'
  | 'CONFIG_BAD_OPTIONS'
  | 'CONFIG_UNSUPPORTED_SYNC'
  | 'CONFIG_BAD_SCHEDULE'
  | 'CONFIG_BAD_EXPRESSION'
  | 'CONFIG_BAD_FIELDMAP'
  | 'CONFIG_BAD_CONNECTION'
  | 'CONFIG_BAD_AUTH'
  | 'CONFIG_BAD_CONNECTOR'
  | 'CONFIG_DUPLICATE_PIPELINE'
  | 'CONFIG_DUPLICATE_CONNECTOR'
  | 'CONFIG_DUPLICATE_PARTITION'
  | 'CONFIG_BAD_PARTITIONS'
  | 'CONFIG_UNKNOWN_PARTITION'
  | 'CONFIG_PARTITION_REQUIRED';

export interface ConfigErrorOptions {
  /** What the person should do about it. */
  readonly hint: string;
  readonly details?: Record<string, unknown>;
  readonly cause?: unknown;
  /** Further problems found in the same pass. */
  readonly others?: readonly ConfigError[];
}

/**
 * A problem in a pipeline or project file. The message starts with `file:line:column` (1-based, the file shown
 * relative to the working directory when it lies below it) so that terminals and editors can jump to it;
 * `reason` is the same message without that prefix, for UIs that show the position themselves.
 * When a file has several problems, the first one (by position) is thrown and the rest ride along in `others`.
 */
export class ConfigError extends FerryError<ConfigErrorCode> {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  readonly others: readonly ConfigError[];

  constructor(code: ConfigErrorCode, at: SourcePosition, reason: string, options: ConfigErrorOptions) {
    const line = Math.max(1, at.line);
    const column = Math.max(1, at.column);
    const others = options.others ?? [];
    super(code, `${displayPath(at.file)}:${line}:${column}: ${reason}`, {
      hint: options.hint,
      details: {
        file: at.file,
        line,
        column,
        ...options.details,
        ...(others.length === 0 ? {} : { others: others.map((other) => other.toJSON()) }),
      },
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.name = 'ConfigError';
    this.file = at.file;
    this.line = line;
    this.column = column;
    this.reason = reason;
    this.others = others;
  }

  /** This error carrying the further problems found in the same pass. */
  withOthers(others: readonly ConfigError[]): ConfigError {
    if (others.length === 0) return this;
    return new ConfigError(this.code, this, this.reason, {
      hint: this.hint ?? '',
      details: this.details,
      others: [...this.others, ...others],
      ...(this.cause === undefined ? {} : { cause: this.cause }),
    });
  }

  /** Every problem, the thrown one first, each with its position and hint: what `ferry validate` prints. */
  describeAll(): string {
    return [this, ...this.others].map((problem) => problem.describe()).join('\n');
  }
}

export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof ConfigError;
}

/** The file as a person would type it: relative to the working directory when it lies below it. */
export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const fromCwd = relative(process.cwd(), file);
  return fromCwd === '' || fromCwd.startsWith('..') || isAbsolute(fromCwd) ? file : fromCwd;
}

/** Throws the first problem by position, with the others attached; does nothing for an empty list. */
export function throwProblems(problems: readonly ConfigError[]): void {
  const sorted = [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
  );
  const unique = sorted.filter(
    (problem, index) => index === 0 || problem.message !== sorted[index - 1]?.message,
  );
  const [first, ...others] = unique;
  if (first !== undefined) throw first.withOthers(others);
}
