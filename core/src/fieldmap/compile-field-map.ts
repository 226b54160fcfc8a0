import type { JsonRecord } from '../contract/json-schema.js';
import type { FieldMapSpec } from '../contract/pipeline.js';
import { FerryError, isFerryError } from '../errors/ferry-error.js';
import { didYouMean } from '../util/did-you-mean.js';
import { compileConvert } from './convert/compile-convert.js';
import type { ConvertStep } from './convert/convert-types.js';
import { evaluateExpression, expressionFailure, toPlainJson, type ExpressionVars } from './expression/evaluate-expression.js';
import { resolveLimits, type ExpressionLimits } from './expression/expression-limits.js';
import { parseExpression, type ParsedExpression } from './expression/parse-expression.js';
import { ConvertFailure, fieldMapInvalid, mapFailed } from './fieldmap-errors.js';
import { fixedValue, isJsonValue } from './json-value.js';
import { isMissing } from './missing.js';
import { compileSegmentsReader, parsePath, type PathSegment } from './path.js';
import { checkTargetsApart, compileTarget, type CompiledTarget, type TargetWriter } from './target-writer.js';

export interface CompiledFieldMap {
  /**
   * Maps one record. Sync when no entry needs JSONata evaluation, else a Promise. `vars` become JSONata
   * bindings ($source is always the record; the engine passes $result for `then` steps and $params).
   * A value that cannot be converted throws (or rejects with) FerryError MAP_FAILED.
   */
  apply(record: JsonRecord, vars?: Readonly<Record<string, unknown>>): JsonRecord | Promise<JsonRecord>;
  readonly isAsync: boolean;
  readonly targetFields: readonly string[];
  /** Source paths read by `from` entries (for validation against the stream schema). */
  readonly sourcePaths: readonly SourcePath[];
}

export interface SourcePath {
  /** Target field that reads it. */
  readonly field: string;
  /** The path as written. */
  readonly path: string;
  readonly segments: readonly PathSegment[];
}

export interface FieldMapOptions {
  /** Country for phone numbers written without a country prefix, when the entry names none (default US). */
  readonly defaultCountry?: string;
  readonly limits?: Partial<ExpressionLimits>;
}

/** One entry, compiled: writes its field into `out` (or leaves it out); `values` holds expression results. */
type FieldStep = (record: JsonRecord, out: JsonRecord, values: readonly unknown[]) => void;

interface CompiledEntry {
  readonly target: CompiledTarget;
  readonly step: FieldStep;
  readonly source?: SourcePath;
  readonly expression?: ParsedExpression;
}

const ENTRY_HINT = 'an entry is a source path (`first_name`), { from, convert?, default? }, { const } or { expr, default? }';
const KINDS = ['from', 'const', 'expr'] as const;
const ALLOWED: Readonly<Record<(typeof KINDS)[number], readonly string[]>> = {
  from: ['from', 'convert', 'default'],
  const: ['const'],
  expr: ['expr', 'default'],
};
const ALL_KEYS = ['from', 'convert', 'default', 'const', 'expr'];

/** The entry key meant: near in spelling, or the same letters swapped (`form` → `from`). */
function suggestKey(key: string, candidates: readonly string[]): string | undefined {
  const near = didYouMean(key, candidates);
  if (near !== undefined) return near;
  const letters = key.toLowerCase().split('').sort().join('');
  return candidates.find((candidate) => candidate.split('').sort().join('') === letters);
}

/** Writes the value, or the default when the value is missing, or nothing. */
function finish(write: TargetWriter, fallback: (() => unknown) | undefined): (out: JsonRecord, value: unknown) => void {
  if (fallback === undefined) {
    return (out, value) => {
      if (!isMissing(value)) write(out, value);
    };
  }
  return (out, value) => write(out, isMissing(value) ? fallback() : value);
}

function defaultOf(entry: Readonly<Record<string, unknown>>, field: string): (() => unknown) | undefined {
  if (!Object.hasOwn(entry, 'default') || entry['default'] === undefined) return undefined;
  const value = entry['default'];
  if (!isJsonValue(value)) throw fieldMapInvalid(field, 'default must be a JSON value (text, number, boolean, null, list or object)', 'write the default as plain YAML data');
  return fixedValue(value);
}

function pathStep(field: string, path: unknown, convert: ConvertStep | undefined, write: (out: JsonRecord, value: unknown) => void): { step: FieldStep; source: SourcePath } {
  if (typeof path !== 'string') throw fieldMapInvalid(field, `'from' must be a source path, got ${path === null ? 'null' : typeof path}`, ENTRY_HINT);
  const segments = parsePath(path, field);
  const read = compileSegmentsReader(segments);
  const source = { field, path, segments };
  if (convert === undefined) return { step: (record, out) => write(out, read(record)), source };
  return {
    step: (record, out) => {
      const value = read(record);
      write(out, isMissing(value) ? value : convert(value));
    },
    source,
  };
}

function entryKind(entry: Readonly<Record<string, unknown>>, field: string): (typeof KINDS)[number] {
  const keys = Object.keys(entry);
  const present = KINDS.filter((kind) => Object.hasOwn(entry, kind));
  const [kind] = present;
  if (present.length > 1) throw fieldMapInvalid(field, `an entry has one of from, const or expr; this one has ${present.join(' and ')}`, ENTRY_HINT);
  if (kind === undefined) {
    const stray = keys.find((key) => !ALL_KEYS.includes(key));
    const guess = stray === undefined ? undefined : suggestKey(stray, ALL_KEYS);
    const reason =
      stray === undefined
        ? 'the entry has neither from, const nor expr'
        : `unknown key '${stray}'${guess === undefined ? '' : ` — did you mean '${guess}'?`}`;
    throw fieldMapInvalid(field, reason, ENTRY_HINT);
  }
  const allowed = ALLOWED[kind];
  for (const key of keys) {
    if (allowed.includes(key)) continue;
    const guess = suggestKey(key, allowed);
    const reason = ALL_KEYS.includes(key)
      ? `'${key}' does not go with '${kind}'`
      : `unknown key '${key}'${guess === undefined ? '' : ` — did you mean '${guess}'?`}`;
    throw fieldMapInvalid(field, reason, `a ${kind} entry takes ${allowed.join(', ')}`);
  }
  return kind;
}

function compileEntry(field: string, entry: unknown, options: FieldMapOptions, limits: ExpressionLimits, slot: number): CompiledEntry {
  const target = compileTarget(field);
  if (typeof entry === 'string') {
    const { step, source } = pathStep(field, entry, undefined, finish(target.write, undefined));
    return { target, step, source };
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    const got = entry === null ? 'null' : Array.isArray(entry) ? 'a list' : typeof entry;
    throw fieldMapInvalid(field, `an entry is a source path or an object, got ${got}`, ENTRY_HINT);
  }
  const fields = entry as Readonly<Record<string, unknown>>;
  const kind = entryKind(fields, field);
  if (kind === 'const') {
    const value = fields['const'];
    if (value === undefined || !isJsonValue(value)) throw fieldMapInvalid(field, 'const must be a JSON value (text, number, boolean, null, list or object)', 'write the value as plain YAML data');
    const supply = fixedValue(value);
    const write = target.write;
    return { target, step: (_record, out) => write(out, supply()) };
  }
  const write = finish(target.write, defaultOf(fields, field));
  if (kind === 'from') {
    const convertSpec = fields['convert'];
    const convert = convertSpec === undefined ? undefined : compileConvert(convertSpec, { field, defaultCountry: options.defaultCountry });
    const { step, source } = pathStep(field, fields['from'], convert, write);
    return { target, step, source };
  }
  const expression = parseExpression(fields['expr'], field, limits);
  return { target, expression, step: (_record, out, values) => write(out, toPlainJson(values[slot])) };
}

/** Whatever a step threw, as the record's MAP_FAILED naming the field. */
function recordFailure(error: unknown, field: string): FerryError {
  if (isFerryError(error) && error.code === 'MAP_FAILED') return error;
  if (error instanceof ConvertFailure) return mapFailed({ field, value: error.value, reason: error.reason, hint: error.hint });
  const said = error instanceof Error ? error.message : String(error);
  return mapFailed({ field, value: undefined, reason: `could not map the field: ${said}`, hint: 'the record holds data of an unexpected shape; check it in the dead-letter table', cause: error });
}

const NO_VALUES: readonly unknown[] = [];

/**
 * Compiles a field map once per run into closures: paths become own-property reads, converts a chain of
 * functions, expressions parsed JSONata. `apply` then only runs them.
 * @throws FerryError FIELDMAP_INVALID (details { field, reason }) or EXPRESSION_INVALID (details { field, position, token })
 */
export function compileFieldMap(spec: FieldMapSpec, options: FieldMapOptions = {}): CompiledFieldMap {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw fieldMapInvalid(undefined, 'a map is an object of target field → entry', 'write map: as `targetField: sourcePath` lines');
  }
  const limits = resolveLimits(options.limits);
  const entries: CompiledEntry[] = [];
  const expressionSlots: { parsed: ParsedExpression; onError: (error: unknown) => never }[] = [];
  for (const field of Object.keys(spec)) {
    const entry = compileEntry(field, spec[field], options, limits, expressionSlots.length);
    entries.push(entry);
    const parsed = entry.expression;
    if (parsed !== undefined) {
      expressionSlots.push({
        parsed,
        onError: (error) => {
          throw expressionFailure(error, field, parsed);
        },
      });
    }
  }
  checkTargetsApart(entries.map((entry) => entry.target));

  const steps = entries.map((entry) => entry.step);
  const fields = entries.map((entry) => entry.target.field);
  const count = steps.length;
  const build = (record: JsonRecord, values: readonly unknown[]): JsonRecord => {
    const out: JsonRecord = {};
    let i = 0;
    try {
      for (; i < count; i++) (steps[i] as FieldStep)(record, out, values);
    } catch (error) {
      throw recordFailure(error, fields[i] ?? '');
    }
    return out;
  };

  const base = {
    targetFields: fields,
    sourcePaths: entries.flatMap((entry) => (entry.source === undefined ? [] : [entry.source])),
  };
  if (expressionSlots.length === 0) {
    return { ...base, isAsync: false, apply: (record: JsonRecord): JsonRecord => build(record, NO_VALUES) };
  }
  return {
    ...base,
    isAsync: true,
    async apply(record: JsonRecord, vars?: ExpressionVars): Promise<JsonRecord> {
      const pending: Promise<unknown>[] = [];
      for (const { parsed, onError } of expressionSlots) pending.push(evaluateExpression(parsed, record, vars).catch(onError));
      return build(record, await Promise.all(pending));
    },
  };
}
