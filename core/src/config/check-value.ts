import type { ErrorObject } from 'ajv';
import type { ConfigError } from './config-error.js';
import { schemaProblems, type SchemaReport } from './schema-problems.js';
import type { ValidatorPair } from './schema-validators.js';

export interface CheckedValue {
  readonly problems: readonly ConfigError[];
  /** The resolved value, with `${VAR}` strings coerced to the types the schema declares. */
  readonly value: unknown;
}

/** Errors a caller knows to be fine in its context (e.g. a required stream param that `--param` may give). */
export type IgnoredError = (error: ErrorObject) => boolean;

/**
 * First of two passes over one value: the value as written, setting aside strings that hold `${VAR}` (their
 * type is only known once resolved), so that the shape of a file is reported before any missing variable.
 */
export function checkWrittenValue(
  validators: ValidatorPair,
  written: unknown,
  report: SchemaReport,
  ignore: IgnoredError = () => false,
): ConfigError[] {
  if (validators.check(written)) return [];
  const errors = (validators.check.errors ?? []).filter(
    (error) => !ignore(error) && !report.references.has(report.pointer + error.instancePath),
  );
  return schemaProblems(errors, report);
}

/**
 * Second pass: the resolved value (run it only once no variable is missing), coerced to the declared scalar
 * types so that `port: ${PORT}` becomes a number. The input is not modified.
 */
export function checkResolvedValue(
  validators: ValidatorPair,
  resolved: unknown,
  report: SchemaReport,
  ignore: IgnoredError = () => false,
): CheckedValue {
  const value = structuredClone(resolved);
  if (validators.coerce(value)) return { problems: [], value };
  const errors = (validators.coerce.errors ?? []).filter((error) => !ignore(error));
  return { problems: schemaProblems(errors, report), value };
}
