/**
 * Synchronous ports of the pieces of JSONata 2.x evaluation that the `where` fast path uses: path navigation
 * with its sequence flattening, `$boolean`, deep equality, ordering and `in`. They follow jsonata.js line by
 * line (lookup, evaluatePath/evaluateStep, fn.boolean, isDeepEqual, evaluateComparisonExpression,
 * evaluateIncludesExpression); a property test holds them to the real evaluator.
 */

/** An error JSONata would raise at the same point, with its code (T2009, T2010, T0410, D1001). */
export class JsonataRuleError extends Error {
  constructor(
    readonly jsonataCode: string,
    message: string,
    readonly value: unknown,
  ) {
    super(message);
    this.name = 'JsonataRuleError';
  }
}

const SEQUENCE: unique symbol = Symbol('jsonata.sequence');

/** JSONata's "sequence": an array it built itself, as opposed to an array that came from the data. */
type Sequence = unknown[] & { [SEQUENCE]?: true };

function createSequence(): Sequence {
  const sequence: Sequence = [];
  sequence[SEQUENCE] = true;
  return sequence;
}

function isSequence(value: unknown): value is Sequence {
  return Array.isArray(value) && (value as Sequence)[SEQUENCE] === true;
}

const hasOwn = Object.hasOwn;

/** fn.lookup: an own property of an object; over an array, the flattened lookups of its members. */
function lookup(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const result = createSequence();
    for (const member of input) {
      const found = lookup(member, key);
      if (found === undefined) continue;
      if (Array.isArray(found)) for (const item of found) result.push(item);
      else result.push(found);
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && hasOwn(input, key)) return (input as Record<string, unknown>)[key];
  return undefined;
}

/** What `evaluate` does to any result on its way out: an empty sequence is nothing, a singleton its member. */
export function unwrapSequence(value: unknown): unknown {
  if (isSequence(value)) {
    if (value.length === 0) return undefined;
    if (value.length === 1) return value[0];
  }
  return value;
}

/**
 * evaluatePath for steps that are all names, from the given input sequence onward (`firstStep` > 0 when the
 * caller has already evaluated a leading variable). Returns the path's value as `evaluate` would.
 */
export function evaluateNamePath(keys: readonly string[], firstStep: number, input: readonly unknown[]): unknown {
  let inputSequence: readonly unknown[] = input;
  let resultSequence: unknown[] | undefined;
  const last = keys.length - 1;
  for (let step = firstStep; step <= last; step++) {
    const key = keys[step] as string;
    const results: unknown[] = [];
    for (const member of inputSequence) {
      const found = unwrapSequence(lookup(member, key));
      if (found !== undefined) results.push(found);
    }
    const [only] = results;
    if (step === last && results.length === 1 && Array.isArray(only) && !isSequence(only)) {
      // A data array at the end of a path is the value itself, not a sequence to flatten.
      resultSequence = only;
    } else {
      resultSequence = createSequence();
      for (const found of results) {
        if (Array.isArray(found)) for (const item of found) resultSequence.push(item);
        else resultSequence.push(found);
      }
    }
    if (resultSequence.length === 0) break;
    inputSequence = resultSequence;
  }
  return unwrapSequence(resultSequence);
}

/** utils.isNumeric: a number that is not NaN; an infinite one is an error (D1001). */
function isNumeric(value: unknown): boolean {
  if (typeof value !== 'number' || Number.isNaN(value)) return false;
  if (!Number.isFinite(value)) throw new JsonataRuleError('D1001', 'Number out of range', value);
  return true;
}

function isJsonataFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (value === null || typeof value !== 'object') return false;
  const marks = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return marks._jsonata_function === true || marks._jsonata_lambda === true;
}

/** fn.boolean: JSONata's effective boolean value; undefined stays undefined. */
export function jsonataBoolean(value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length === 1) return jsonataBoolean(value[0]);
    if (value.length > 1) return value.some((member) => jsonataBoolean(member) === true);
    return false;
  }
  if (typeof value === 'string') return value.length > 0;
  if (isNumeric(value)) return value !== 0;
  if (value !== null && typeof value === 'object' && !isJsonataFunction(value)) return Object.keys(value).length > 0;
  return value === true;
}

/** boolize: the effective boolean with undefined as false (`and`, `or`, and a where's verdict). */
export function boolize(value: unknown): boolean {
  return jsonataBoolean(value) ?? false;
}

/** utils.isDeepEqual. */
export function isDeepEqual(lhs: unknown, rhs: unknown): boolean {
  if (lhs === rhs) return true;
  if (typeof lhs === 'object' && typeof rhs === 'object' && lhs !== null && rhs !== null) {
    if (Array.isArray(lhs) && Array.isArray(rhs)) {
      if (lhs.length !== rhs.length) return false;
      for (let i = 0; i < lhs.length; i++) if (!isDeepEqual(lhs[i], rhs[i])) return false;
      return true;
    }
    const leftKeys = Object.getOwnPropertyNames(lhs).sort();
    const rightKeys = Object.getOwnPropertyNames(rhs).sort();
    if (leftKeys.length !== rightKeys.length) return false;
    for (let i = 0; i < leftKeys.length; i++) if (leftKeys[i] !== rightKeys[i]) return false;
    for (const key of leftKeys) {
      if (!isDeepEqual((lhs as Record<string, unknown>)[key], (rhs as Record<string, unknown>)[key])) return false;
    }
    return true;
  }
  return false;
}

/** evaluateEqualityExpression: anything compared with nothing is false, both for `=` and `!=`. */
export function equals(lhs: unknown, rhs: unknown, negate: boolean): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  return negate ? !isDeepEqual(lhs, rhs) : isDeepEqual(lhs, rhs);
}

export type ComparisonOperator = '<' | '<=' | '>' | '>=';

/** evaluateComparisonExpression: numbers with numbers, strings with strings; nothing gives undefined. */
export function compare(lhs: unknown, rhs: unknown, operator: ComparisonOperator): boolean | undefined {
  const leftType = typeof lhs;
  const rightType = typeof rhs;
  const leftComparable = leftType === 'undefined' || leftType === 'string' || leftType === 'number';
  const rightComparable = rightType === 'undefined' || rightType === 'string' || rightType === 'number';
  if (!leftComparable || !rightComparable) {
    const culprit = !(leftType === 'string' || leftType === 'number') ? lhs : rhs;
    throw new JsonataRuleError('T2010', `the expressions either side of operator "${operator}" must evaluate to numeric or string values`, culprit);
  }
  if (leftType === 'undefined' || rightType === 'undefined') return undefined;
  if (leftType !== rightType) {
    throw new JsonataRuleError('T2009', `the values either side of operator "${operator}" must be of the same data type`, lhs);
  }
  const left = lhs as string | number;
  const right = rhs as string | number;
  switch (operator) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}

/** evaluateIncludesExpression: strict equality against each member (or the value itself when not an array). */
export function includes(lhs: unknown, rhs: unknown): boolean {
  if (lhs === undefined || rhs === undefined) return false;
  if (!Array.isArray(rhs)) return rhs === lhs;
  for (const member of rhs) if (member === lhs) return true;
  return false;
}
