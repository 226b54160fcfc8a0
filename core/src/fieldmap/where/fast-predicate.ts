import type { JsonRecord } from '../../contract/json-schema.js';
import { hasOnlyKeys, isAstNode, type AstNode } from '../expression/ast-node.js';
import type { ExpressionVars } from '../expression/evaluate-expression.js';
import { JSONATA_BUILTINS } from '../expression/jsonata-builtins.js';
import { isForbiddenKey } from '../path.js';
import {
  boolize,
  compare,
  equals,
  evaluateNamePath,
  includes,
  jsonataBoolean,
  JsonataRuleError,
  type ComparisonOperator,
} from './jsonata-semantics.js';

/**
 * Compiles the common subset of JSONata — paths, literals, `= != < <= > >=`, `and`, `or`, `in`, `$not`,
 * `$exists`, `$contains`, `$boolean`, parentheses, literal lists — into plain synchronous closures. Any node
 * outside the subset, or carrying anything the subset does not model (predicates, `[]`, grouping), makes the
 * whole expression fall back to JSONata; so what is compiled here gives exactly JSONata's answer.
 */

type Fast = (record: JsonRecord, vars: ExpressionVars | undefined) => unknown;

const LEAF_KEYS: ReadonlySet<string> = new Set(['type', 'value', 'position']);
const PATH_KEYS: ReadonlySet<string> = new Set(['type', 'steps']);
const BINARY_KEYS: ReadonlySet<string> = new Set(['type', 'value', 'position', 'lhs', 'rhs']);
const FUNCTION_KEYS: ReadonlySet<string> = new Set(['type', 'value', 'position', 'arguments', 'procedure']);
const BLOCK_KEYS: ReadonlySet<string> = new Set(['type', 'position', 'expressions']);
const ARRAY_KEYS: ReadonlySet<string> = new Set(['type', 'value', 'position', 'expressions']);

const hasOwn = Object.hasOwn;

function literalValue(node: AstNode): { value: string | number | boolean | null } | undefined {
  const type = node['type'];
  if ((type !== 'string' && type !== 'number' && type !== 'value') || !hasOnlyKeys(node, LEAF_KEYS)) return undefined;
  const value = node['value'];
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null) return { value };
  return undefined;
}

/** A variable the fast path can resolve exactly as JSONata's environment would with ferry's bindings. */
function compileVariable(node: AstNode): Fast | undefined {
  if (!hasOnlyKeys(node, LEAF_KEYS)) return undefined;
  const name = node['value'];
  if (typeof name !== 'string') return undefined;
  // `$` is the context and `$$` the root: both the record here. `$source` is bound to the record.
  if (name === '' || name === '$' || name === 'source') return (record) => record;
  // A built-in's name resolves to the function; leave those to JSONata.
  if (JSONATA_BUILTINS.has(name)) return undefined;
  if (isForbiddenKey(name)) return () => undefined;
  return (_record, vars) => {
    if (vars === undefined || !hasOwn(vars, name)) return undefined;
    const value = vars[name];
    return typeof value === 'function' ? undefined : value;
  };
}

/** A walk over name steps from a start value: plain property reads until an array turns up. */
function walkNames(keys: readonly string[], start: unknown): unknown {
  let current = start;
  for (let i = 0; i < keys.length; i++) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) return evaluateNamePath(keys, i, current);
    const key = keys[i] as string;
    if (!hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function compilePath(node: AstNode): Fast | undefined {
  if (!hasOnlyKeys(node, PATH_KEYS)) return undefined;
  const steps = node['steps'];
  if (!Array.isArray(steps) || steps.length === 0) return undefined;
  const [first] = steps as unknown[];
  if (!isAstNode(first)) return undefined;
  let start: Fast | undefined;
  let nameSteps: readonly unknown[];
  if (first['type'] === 'variable') {
    start = compileVariable(first);
    if (start === undefined) return undefined;
    nameSteps = steps.slice(1);
    if (nameSteps.length === 0) return start;
  } else {
    nameSteps = steps;
  }
  const keys: string[] = [];
  for (const step of nameSteps) {
    if (!isAstNode(step) || step['type'] !== 'name' || !hasOnlyKeys(step, LEAF_KEYS) || typeof step['value'] !== 'string') return undefined;
    keys.push(step['value']);
  }
  if (start === undefined) {
    if (keys.length === 1) {
      const [key] = keys as [string];
      return (record) => (hasOwn(record, key) ? record[key] : undefined);
    }
    return (record) => walkNames(keys, record);
  }
  const from = start;
  return (record, vars) => {
    const value = from(record, vars);
    return value === undefined ? undefined : walkNames(keys, value);
  };
}

const COMPARISONS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=']);

function compileBinary(node: AstNode): Fast | undefined {
  if (!hasOnlyKeys(node, BINARY_KEYS)) return undefined;
  const operator = node['value'];
  const lhs = isAstNode(node['lhs']) ? compileNode(node['lhs']) : undefined;
  const rhs = isAstNode(node['rhs']) ? compileNode(node['rhs']) : undefined;
  if (lhs === undefined || rhs === undefined || typeof operator !== 'string') return undefined;
  switch (operator) {
    case 'and':
      return (record, vars) => boolize(lhs(record, vars)) && boolize(rhs(record, vars));
    case 'or':
      return (record, vars) => boolize(lhs(record, vars)) || boolize(rhs(record, vars));
    case '=':
      return (record, vars) => equals(lhs(record, vars), rhs(record, vars), false);
    case '!=':
      return (record, vars) => equals(lhs(record, vars), rhs(record, vars), true);
    case 'in':
      return (record, vars) => includes(lhs(record, vars), rhs(record, vars));
    default:
      if (!COMPARISONS.has(operator)) return undefined;
      return (record, vars) => compare(lhs(record, vars), rhs(record, vars), operator as ComparisonOperator);
  }
}

/** fn.contains after signature validation (`<s-(sf):b>`): text or nothing, then a plain string token. */
function contains(text: unknown, token: string): boolean | undefined {
  if (text === undefined) return undefined;
  if (typeof text !== 'string') {
    throw new JsonataRuleError('T0410', 'argument 1 of function "contains" does not match function signature', text);
  }
  return text.includes(token);
}

function compileFunction(node: AstNode): Fast | undefined {
  if (!hasOnlyKeys(node, FUNCTION_KEYS)) return undefined;
  const procedure = node['procedure'];
  const args = node['arguments'];
  if (!isAstNode(procedure) || procedure['type'] !== 'variable' || !hasOnlyKeys(procedure, LEAF_KEYS) || !Array.isArray(args)) return undefined;
  const compiled: Fast[] = [];
  for (const arg of args as unknown[]) {
    const fast = isAstNode(arg) ? compileNode(arg) : undefined;
    if (fast === undefined) return undefined;
    compiled.push(fast);
  }
  const [first] = compiled;
  switch (procedure['value']) {
    case 'not':
      if (compiled.length !== 1 || first === undefined) return undefined;
      return (record, vars) => {
        const value = jsonataBoolean(first(record, vars));
        return value === undefined ? undefined : !value;
      };
    case 'boolean':
      if (compiled.length !== 1 || first === undefined) return undefined;
      return (record, vars) => jsonataBoolean(first(record, vars));
    case 'exists':
      if (compiled.length !== 1 || first === undefined) return undefined;
      return (record, vars) => first(record, vars) !== undefined;
    case 'contains': {
      // Only a literal text token: a regex or computed token goes to JSONata.
      const tokenNode: unknown = (args as unknown[])[1];
      const token = isAstNode(tokenNode) ? literalValue(tokenNode) : undefined;
      if (compiled.length !== 2 || first === undefined || typeof token?.value !== 'string') return undefined;
      const text = token.value;
      return (record, vars) => contains(first(record, vars), text);
    }
    default:
      return undefined;
  }
}

function compileNode(node: AstNode): Fast | undefined {
  switch (node['type']) {
    case 'string':
    case 'number':
    case 'value': {
      const literal = literalValue(node);
      if (literal === undefined) return undefined;
      const { value } = literal;
      return () => value;
    }
    case 'path':
      return compilePath(node);
    case 'variable':
      return compileVariable(node);
    case 'binary':
      return compileBinary(node);
    case 'function':
      return compileFunction(node);
    case 'block': {
      const expressions = node['expressions'];
      if (!hasOnlyKeys(node, BLOCK_KEYS) || !Array.isArray(expressions) || expressions.length !== 1) return undefined;
      const [inner] = expressions as unknown[];
      return isAstNode(inner) ? compileNode(inner) : undefined;
    }
    case 'unary': {
      // A list of literals, `['a', 'b']`: built once, only ever read.
      const expressions = node['expressions'];
      if (node['value'] !== '[' || !hasOnlyKeys(node, ARRAY_KEYS) || !Array.isArray(expressions)) return undefined;
      const values: unknown[] = [];
      for (const item of expressions as unknown[]) {
        const literal = isAstNode(item) ? literalValue(item) : undefined;
        if (literal === undefined) return undefined;
        values.push(literal.value);
      }
      return () => values;
    }
    default:
      return undefined;
  }
}

/** The predicate as a synchronous function, or undefined when the expression needs JSONata. */
export function compileFastPredicate(ast: AstNode): ((record: JsonRecord, vars: ExpressionVars | undefined) => boolean) | undefined {
  const fast = compileNode(ast);
  if (fast === undefined) return undefined;
  return (record, vars) => boolize(fast(record, vars));
}
