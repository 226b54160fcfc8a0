import type { JsonRecord } from '../../contract/json-schema.js';
import type { FerryError } from '../../errors/ferry-error.js';
import { ConvertFailure, mapFailed } from '../fieldmap-errors.js';
import { isForbiddenKey } from '../path.js';
import { JSONATA_BUILTINS } from './jsonata-builtins.js';
import type { ParsedExpression } from './parse-expression.js';

export type ExpressionVars = Readonly<Record<string, unknown>>;

/**
 * JSONata bindings for one evaluation: the caller's vars (data only — functions are dropped, and no var may
 * shadow a built-in function), then `$source`, which is always the record.
 */
export function bindingsFor(record: JsonRecord, vars: ExpressionVars | undefined): Record<string, unknown> {
  const bindings: Record<string, unknown> = {};
  if (vars !== undefined) {
    for (const key of Object.keys(vars)) {
      const value = vars[key];
      if (typeof value === 'function' || key === '' || key === '$' || JSONATA_BUILTINS.has(key) || isForbiddenKey(key)) continue;
      bindings[key] = value;
    }
  }
  bindings['source'] = record;
  return bindings;
}

export async function evaluateExpression(parsed: ParsedExpression, record: JsonRecord, vars: ExpressionVars | undefined): Promise<unknown> {
  // JSONata's typings promise `any`; the value is treated as unknown from here on.
  const result: unknown = await parsed.compiled.evaluate(record, bindingsFor(record, vars));
  return result;
}

function isJsonataFunction(value: object): boolean {
  const marks = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return marks._jsonata_lambda === true || marks._jsonata_function === true;
}

/**
 * An expression's result as plain JSON: JSONata's sequences (arrays carrying flags) become arrays, undefined
 * members are left out, and a function (a lambda returned by mistake) fails the record.
 */
export function toPlainJson(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function') throw new ConvertFailure(value, 'the expression gave a function, not a value', 'call the function: `$f(x)` rather than `$f`');
    return value;
  }
  if (isJsonataFunction(value)) throw new ConvertFailure('[function]', 'the expression gave a function, not a value', 'call the function: `$f(x)` rather than `$f`');
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const plain = toPlainJson(item);
      if (plain !== undefined) out.push(plain);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (isForbiddenKey(key)) continue;
    const plain = toPlainJson((value as Record<string, unknown>)[key]);
    if (plain !== undefined) out[key] = plain;
  }
  return out;
}

export function isStackExhaustion(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

interface JsonataErrorFields {
  code?: unknown;
  message?: unknown;
  position?: unknown;
  token?: unknown;
  value?: unknown;
}

/** What JSONata threw while evaluating, as the record's MAP_FAILED (limits named in words). */
export function expressionFailure(error: unknown, field: string, parsed: ParsedExpression): FerryError {
  const fields: JsonataErrorFields = error !== null && typeof error === 'object' ? error : {};
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const extra: Record<string, unknown> = {};
  if (code !== undefined) extra['jsonataCode'] = code;
  if (typeof fields.position === 'number') extra['position'] = fields.position;
  if (typeof fields.token === 'string') extra['token'] = fields.token;
  const { limits } = parsed;
  let reason: string;
  let hint: string;
  let value: unknown = parsed.text;
  if (code === 'D1012') {
    reason = `the expression ran longer than ${limits.timeoutMs} ms`;
    hint = 'look for a loop that never ends, or simplify the expression';
  } else if (code === 'D1011' || isStackExhaustion(error)) {
    reason = `the expression nested deeper than ${limits.maxDepth} levels`;
    hint = 'a recursive function probably never reaches its base case';
  } else if (code === 'D2015' || code === 'D2014') {
    reason = `the expression built a sequence longer than ${limits.maxSequence} items`;
    hint = 'narrow the range or filter the list before mapping it';
  } else {
    const said = typeof fields.message === 'string' ? fields.message : error instanceof Error ? error.message : 'evaluation failed';
    reason = `expression failed: ${said}`;
    hint = 'the record holds a value the expression does not expect; guard it, e.g. `$exists(x) ? … : …`, or give the field a default';
    if (fields.value !== undefined) value = fields.value;
  }
  return mapFailed({ field, value, reason, hint, extra, cause: error });
}
