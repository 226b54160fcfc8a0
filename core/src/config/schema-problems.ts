import type { ErrorObject } from 'ajv';
import { didYouMean, didYouMeanSuffix } from '../util/did-you-mean.js';
import { ConfigError, type ConfigErrorCode } from './config-error.js';
import { childPointer, segmentsOf } from './json-pointer.js';
import { EXPECTED_KEYWORD } from './schema-validators.js';
import type { YamlSource } from './yaml-source.js';

/** How the errors of one validated value are reported. */
export interface SchemaReport {
  readonly source: YamlSource;
  /** Where the validated value sits in the file ('' for the whole file). */
  readonly pointer: string;
  /** Code for unknown keys, and for every other violation. */
  readonly codes: { readonly unknownKey: ConfigErrorCode; readonly invalid: ConfigErrorCode };
  /** Strings that came from `${VAR}`: messages about them name the variable and never show the value. */
  readonly references: ReadonlyMap<string, readonly string[]>;
  /** What to do when the schema says nothing more specific (e.g. "see `ferry catalog ghl`"). */
  readonly fallbackHint: string;
  /** Words for the validated value when it is the whole of it ('the file', "the 'with' options"). */
  readonly subject: string;
}

type SchemaObject = Readonly<Record<string, unknown>>;

/**
 * Turns ajv's errors (allErrors, verbose) into the few ConfigErrors a person needs: a failed oneOf/anyOf is
 * reported through the one branch the value was evidently meant for, or as one "expected …" sentence when no
 * branch stands out; every error sits at the YAML position of the offending key or value.
 */
export function schemaProblems(errors: readonly ErrorObject[], report: SchemaReport): ConfigError[] {
  const problems: ConfigError[] = [];
  const relevant = errors.filter(
    (error) => !(error.keyword === 'propertyNames' && errors.some((inner) => inner !== error && inner.propertyName !== undefined)),
  );
  const reduced = reduceCombinators(relevant);
  for (const error of reduced) {
    if (isMisspeltRequired(error, reduced)) continue;
    problems.push(describe(error, report));
  }
  return problems;
}

/** "missing 'tags'" says nothing more when the same mapping has an unknown key 'tgs' that is reported as its typo. */
function isMisspeltRequired(error: ErrorObject, errors: readonly ErrorObject[]): boolean {
  if (error.keyword !== 'required') return false;
  const missing = String(error.params['missingProperty']);
  return errors.some(
    (other) =>
      other.keyword === 'additionalProperties' &&
      other.instancePath === error.instancePath &&
      didYouMean(String(other.params['additionalProperty']), [missing]) === missing,
  );
}

function isInsideBranchOf(error: ErrorObject, combinator: ErrorObject): boolean {
  return (
    error !== combinator &&
    error.schemaPath.startsWith(`${combinator.schemaPath}/`) &&
    (error.instancePath === combinator.instancePath || error.instancePath.startsWith(`${combinator.instancePath}/`))
  );
}

function isCombinator(error: ErrorObject): boolean {
  return error.keyword === 'oneOf' || error.keyword === 'anyOf';
}

/** Replaces each failed oneOf/anyOf (outermost first) by the errors of the branch that fits, or by itself. */
export function reduceCombinators(errors: readonly ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter(isCombinator);
  const outer = combinators.filter((combinator) => !combinators.some((other) => isInsideBranchOf(combinator, other)));
  const claimed = new Set(errors.filter((error) => outer.some((combinator) => isInsideBranchOf(error, combinator))));
  const result = errors.filter((error) => !claimed.has(error) && !outer.includes(error));
  for (const combinator of outer) {
    const passing: unknown = combinator.params['passingSchemas'];
    if (passing !== null && passing !== undefined) {
      result.push(combinator);
      continue;
    }
    const branchCount = Array.isArray(combinator.schema) ? combinator.schema.length : 0;
    const branches = Array.from({ length: branchCount }, (_, index) =>
      errors.filter(
        (error) => isInsideBranchOf(error, combinator) && error.schemaPath.startsWith(`${combinator.schemaPath}/${index}/`),
      ),
    );
    // A branch without errors of its own (once `${VAR}` values are set aside) means the value is fine here.
    if (branches.some((branch) => branch.length === 0)) continue;
    const fitting = branches.filter((branch, index) =>
      branchFits(branch, `${combinator.schemaPath}/${index}`, combinator.instancePath),
    );
    const [only] = fitting;
    if (fitting.length === 1 && only !== undefined) result.push(...reduceCombinators(only));
    else result.push(combinator);
  }
  return result;
}

/**
 * A branch fits a value that has its type and its required keys: `{ from: 5 }` is evidently meant as a `from`
 * entry, whatever else is wrong with it. A branch that is itself a oneOf/anyOf fits when one of its own does.
 */
function branchFits(errors: readonly ErrorObject[], branchPath: string, instancePath: string): boolean {
  if (errors.some((error) => error.schemaPath === `${branchPath}/type` || error.schemaPath === `${branchPath}/required`)) {
    return false;
  }
  const nested = errors.find(
    (error) => isCombinator(error) && error.schemaPath === `${branchPath}/${error.keyword}` && error.instancePath === instancePath,
  );
  if (nested === undefined || !Array.isArray(nested.schema)) return true;
  return nested.schema.some((_, index) => {
    const path = `${nested.schemaPath}/${index}`;
    return branchFits(
      errors.filter((error) => error.schemaPath.startsWith(`${path}/`)),
      path,
      instancePath,
    );
  });
}

function describe(error: ErrorObject, report: SchemaReport): ConfigError {
  const { source } = report;
  const pointer = report.pointer + error.instancePath;
  const parentSchema = asSchema(error.parentSchema);
  const variables = report.references.get(pointer);
  const fromEnv = variables === undefined ? '' : ` (from ${variables.map((name) => `\${${name}}`).join(', ')})`;
  const reveal = variables === undefined;
  const here = placeName(source, pointer, report.subject);
  const description = typeof parentSchema['description'] === 'string' ? parentSchema['description'] : undefined;
  const expected = typeof parentSchema[EXPECTED_KEYWORD] === 'string' ? parentSchema[EXPECTED_KEYWORD] : undefined;
  const envHint = variables === undefined ? undefined : `check the value of ${variables.join(', ')} (environment or .env)`;
  const described = description === undefined ? undefined : here === '' ? description : `'${here}': ${description}`;
  const hintFor = (own: string | undefined): string =>
    [envHint, own ?? described ?? report.fallbackHint]
      .filter((part) => part !== undefined)
      .join('; ');

  if (error.propertyName !== undefined) {
    const keyPointer = childPointer(pointer, error.propertyName);
    const rule = expected === undefined ? (error.message ?? 'is not allowed') : `must be ${expected}`;
    return new ConfigError(report.codes.invalid, source.positionOf(keyPointer, 'key'), `key '${error.propertyName}' ${rule}`, {
      hint: hintFor(undefined),
      details: { keyword: error.keyword },
    });
  }

  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params['additionalProperty']);
      const properties = asSchema(parentSchema['properties']);
      const allowed = Object.keys(properties);
      const suggestion = didYouMean(key, allowed);
      const inside = pointer === report.pointer && report.pointer === '' ? '' : ` in ${quoteOr(here, report.subject)}`;
      return new ConfigError(
        report.codes.unknownKey,
        source.positionOf(childPointer(pointer, key), 'key'),
        `unknown key '${key}'${inside}${didYouMeanSuffix(key, allowed)}`,
        {
          hint:
            allowed.length === 0
              ? `remove '${key}': nothing may be set${inside}`
              : `${suggestion === undefined ? 'use one of' : `rename it to '${suggestion}', or use one of`}: ${allowed.join(', ')}`,
          details: { key, allowed, ...(suggestion === undefined ? {} : { suggestion }) },
        },
      );
    }
    case 'required': {
      const missing = String(error.params['missingProperty']);
      const property = asSchema(asSchema(parentSchema['properties'])[missing]);
      const what = typeof property['description'] === 'string' ? ` (${property['description']})` : '';
      const reason = here === '' ? `missing required key '${missing}'` : `'${here}' is missing '${missing}'`;
      return new ConfigError(report.codes.invalid, source.positionOf(pointer, 'key'), reason, {
        hint: `add '${missing}:'${what}`,
        details: { missing },
      });
    }
    case 'type': {
      const wanted = String(error.params['type']).split(',').map(typeWords).join(' or ');
      const actual = actualWords(error.data);
      const reason =
        pointer === '' && error.data === null
          ? `the file is empty: expected ${wanted}`
          : `${capitalise(quoteOr(here, report.subject))}${fromEnv} must be ${wanted}, not ${actual}`;
      return new ConfigError(report.codes.invalid, source.positionOf(pointer, 'value'), reason, {
        hint: hintFor(undefined),
        details: { expected: String(error.params['type']) },
      });
    }
    case 'enum': {
      const allowed = Array.isArray(error.params['allowedValues']) ? error.params['allowedValues'].map(String) : [];
      const shown = reveal && typeof error.data === 'string' && error.data.length <= 60 ? `, not '${error.data}'` : '';
      const suggestion = reveal && typeof error.data === 'string' ? didYouMeanSuffix(error.data, allowed) : '';
      return new ConfigError(
        report.codes.invalid,
        source.positionOf(pointer, 'value'),
        `${capitalise(quoteOr(here, report.subject))}${fromEnv} must be one of ${allowed.join(', ')}${shown}${suggestion}`,
        { hint: hintFor(undefined), details: { allowed } },
      );
    }
    case 'oneOf':
    case 'anyOf': {
      const unknownKey = reveal ? unknownKeyAcrossBranches(error) : undefined;
      const words = expected ?? describeBranches(error.schema);
      const reason = `${capitalise(quoteOr(here, report.subject))}${fromEnv}: expected ${words}${unknownKey ?? ''}`;
      return new ConfigError(report.codes.invalid, source.positionOf(pointer, 'value'), reason, {
        hint: hintFor(undefined),
      });
    }
    default: {
      const rule = expected === undefined ? (error.message ?? 'is not valid') : `must be ${expected}`;
      return new ConfigError(
        report.codes.invalid,
        source.positionOf(pointer, 'value'),
        `${capitalise(quoteOr(here, report.subject))}${fromEnv} ${rule}`,
        { hint: hintFor(undefined), details: { keyword: error.keyword } },
      );
    }
  }
}

/** A key of the value that no branch allows, with a near name some branch does allow: the likely typo. */
function unknownKeyAcrossBranches(error: ErrorObject): string | undefined {
  if (error.data === null || typeof error.data !== 'object' || Array.isArray(error.data) || !Array.isArray(error.schema)) {
    return undefined;
  }
  const known = new Set<string>();
  const collect = (schema: SchemaObject): void => {
    for (const key of Object.keys(asSchema(schema['properties']))) known.add(key);
    for (const keyword of ['oneOf', 'anyOf']) {
      const nested = schema[keyword];
      if (Array.isArray(nested)) for (const branch of nested) collect(asSchema(branch));
    }
  };
  for (const branch of error.schema) collect(asSchema(branch));
  for (const key of Object.keys(error.data)) {
    if (known.has(key)) continue;
    const guess = didYouMean(key, known);
    return guess === undefined ? ` (unknown key '${key}')` : ` (unknown key '${key}' — did you mean '${guess}'?)`;
  }
  return undefined;
}

function describeBranches(schema: unknown): string {
  if (!Array.isArray(schema)) return 'one of the allowed forms';
  const words = schema.map((branch) => {
    const branchSchema = asSchema(branch);
    if (typeof branchSchema['title'] === 'string') return branchSchema['title'];
    const required = Array.isArray(branchSchema['required']) ? branchSchema['required'].map(String) : [];
    const type = typeof branchSchema['type'] === 'string' ? typeWords(branchSchema['type']) : 'a value';
    return required.length === 0 ? type : `${type} with ${required.join(', ')}`;
  });
  return [...new Set(words)].join(', or ');
}

function placeName(source: YamlSource, pointer: string, subject: string): string {
  if (pointer === '') return '';
  const location = source.locate(pointer);
  const path = location.pointer === pointer ? location.keyPath : segmentsOf(pointer).join('.');
  return path === '' ? subject : path;
}

function quoteOr(path: string, fallback: string): string {
  return path === '' ? fallback : `'${path}'`;
}

function typeWords(type: string): string {
  switch (type) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'string':
      return 'a string';
    default:
      return type;
  }
}

function actualWords(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'true/false';
  return 'a string';
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function asSchema(value: unknown): SchemaObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as SchemaObject) : {};
}
