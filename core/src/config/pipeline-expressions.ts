import type { FieldMapSpec } from '../contract/pipeline.js';
import { isFerryError, type FerryError } from '../errors/ferry-error.js';
import { compileFieldMap, compileWhere } from '../fieldmap/index.js';
import { ConfigError } from './config-error.js';
import { childPointer } from './json-pointer.js';
import type { YamlSource } from './yaml-source.js';

/**
 * Compiles a `where` expression with the engine's own compiler; a syntax error becomes CONFIG_BAD_EXPRESSION at
 * the exact column when the expression is written on one line.
 */
export function checkWhere(expression: string, pointer: string, source: YamlSource): ConfigError | undefined {
  try {
    compileWhere(expression);
    return undefined;
  } catch (error) {
    return compileProblem(error, source, pointer, () => pointer);
  }
}

/**
 * Compiles a field map with the engine's own compiler (paths, conversions, expressions); a problem becomes
 * CONFIG_BAD_FIELDMAP at the entry it is about, or CONFIG_BAD_EXPRESSION at its place in an `expr`.
 */
export function checkFieldMap(map: FieldMapSpec, mapPointer: string, source: YamlSource): ConfigError | undefined {
  try {
    compileFieldMap(map);
    return undefined;
  } catch (error) {
    return compileProblem(error, source, mapPointer, (field, expression) => {
      if (field === undefined) return mapPointer;
      const entryPointer = childPointer(mapPointer, field);
      const entry = Object.hasOwn(map, field) ? map[field] : undefined;
      // An expression error points into the expression; anything else at the entry it is about.
      if (expression && entry !== undefined && typeof entry === 'object' && 'expr' in entry) return childPointer(entryPointer, 'expr');
      return entryPointer;
    });
  }
}

function compileProblem(
  error: unknown,
  source: YamlSource,
  fallbackPointer: string,
  pointerFor: (field: string | undefined, expression: boolean) => string,
): ConfigError {
  if (!isFerryError(error)) {
    return new ConfigError('CONFIG_BAD_FIELDMAP', source.positionOf(fallbackPointer), `cannot compile: ${String(error)}`, {
      hint: 'check the expressions and paths here',
      cause: error,
    });
  }
  const field = typeof error.details['field'] === 'string' ? error.details['field'] : undefined;
  const offset = typeof error.details['position'] === 'number' ? error.details['position'] : undefined;
  const expression = error.code === 'EXPRESSION_INVALID';
  const pointer = pointerFor(field, expression);
  const at =
    offset === undefined
      ? source.positionOf(pointer, expression ? 'value' : 'key')
      : source.positionInText(pointer, jsonataOffset(offset));
  return new ConfigError(expression ? 'CONFIG_BAD_EXPRESSION' : 'CONFIG_BAD_FIELDMAP', at, error.message, {
    hint: hintOf(error, expression),
    details: { ...error.details, compileCode: error.code },
    cause: error,
  });
}

/** JSONata counts positions 1-based, just past the offending token; columns want the token's first character. */
function jsonataOffset(position: number): number {
  return Math.max(0, position - 1);
}

function hintOf(error: FerryError, expression: boolean): string {
  if (error.hint !== undefined) return error.hint;
  return expression ? 'fix the JSONata expression (see https://docs.jsonata.org)' : 'fix this field map entry';
}
