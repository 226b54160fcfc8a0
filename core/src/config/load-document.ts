import { checkResolvedValue, checkWrittenValue } from './check-value.js';
import { displayPath, throwProblems } from './config-error.js';
import { resolveEnvReferences, type Environment } from './env-references.js';
import type { SchemaReport } from './schema-problems.js';
import { configFileValidators, configSchemaPath, type ConfigFileKind } from './schema-validators.js';
import { parseYamlSource, type YamlSource } from './yaml-source.js';

/** A file that parsed, matched its schema and had every `${VAR}` resolved. */
export interface LoadedDocument {
  readonly source: YamlSource;
  /** The data as written, `${VAR}` unresolved: connector schemas check it first, like the file schema did. */
  readonly written: unknown;
  /** The data with variables resolved and coerced to the schema's types. */
  readonly value: unknown;
  /** Pointer of each string that used variables -> their names. */
  readonly references: ReadonlyMap<string, readonly string[]>;
}

/** Parse → check the written shape → resolve `${VAR}` → check and coerce the resolved values; throws ConfigError. */
export function loadDocument(text: string, file: string, kind: ConfigFileKind, env: Environment): LoadedDocument {
  const source = parseYamlSource(text, file);
  const resolution = resolveEnvReferences(source, env);
  const validators = configFileValidators(kind);
  const report: SchemaReport = {
    source,
    pointer: '',
    codes: { unknownKey: 'CONFIG_UNKNOWN_KEY', invalid: 'CONFIG_SCHEMA' },
    references: resolution.references,
    fallbackHint: `see ${displayPath(configSchemaPath(kind))} (editors autocomplete from it)`,
    subject: 'the file',
  };
  throwProblems(checkWrittenValue(validators, source.data, report));
  throwProblems(resolution.problems);
  const checked = checkResolvedValue(validators, resolution.data, report);
  throwProblems(checked.problems);
  return { source, written: source.data, value: checked.value, references: resolution.references };
}

/** The value at a path of plain JSON data, or undefined. */
export function valueAt(data: unknown, segments: readonly (string | number)[]): unknown {
  let current = data;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}
