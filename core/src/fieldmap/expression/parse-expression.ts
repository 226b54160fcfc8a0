import jsonata from 'jsonata';
import { didYouMean } from '../../util/did-you-mean.js';
import { expressionInvalid, type ExpressionProblem } from '../fieldmap-errors.js';
import { forEachNode, hasOnlyKeys, isAstNode, positionOf, type AstNode } from './ast-node.js';
import type { ExpressionLimits } from './expression-limits.js';
import { JSONATA_BUILTINS } from './jsonata-builtins.js';
import { compileLinearPattern, LinearRegExp } from './linear-regexp.js';

export interface ParsedExpression {
  readonly text: string;
  /** Evaluates against the (normalised) tree below, with the limits applied. */
  readonly compiled: jsonata.Expression;
  readonly ast: AstNode;
  readonly limits: ExpressionLimits;
}

const SYNTAX_HINT = 'check the expression against the JSONata syntax: paths like `address.city`, strings in quotes, functions with a $ (`$lowercase(name)`)';

/** What JSONata (or the JS engine, for pathological input) threw while parsing, as a problem to report. */
export function problemOf(error: unknown): ExpressionProblem {
  if (error !== null && typeof error === 'object') {
    const fields = error as { message?: unknown; position?: unknown; token?: unknown; code?: unknown };
    return {
      message: typeof fields.message === 'string' ? fields.message : 'the expression cannot be read',
      position: typeof fields.position === 'number' ? fields.position : 0,
      token: typeof fields.token === 'string' ? fields.token : undefined,
      jsonataCode: typeof fields.code === 'string' ? fields.code : undefined,
    };
  }
  return { message: 'the expression cannot be read', position: 0 };
}

const BARE_PATH_KEYS: ReadonlySet<string> = new Set(['type', 'steps']);
const BARE_STEP_KEYS: ReadonlySet<string> = new Set(['type', 'value', 'position']);

/** `not(x)` → `$not(x)`: the name of a built-in function written without its `$`. */
function bareBuiltinName(procedure: unknown): { name: string; position: number } | undefined {
  if (!isAstNode(procedure) || procedure['type'] !== 'path' || !hasOnlyKeys(procedure, BARE_PATH_KEYS)) return undefined;
  const steps = procedure['steps'];
  if (!Array.isArray(steps) || steps.length !== 1) return undefined;
  const step: unknown = steps[0];
  if (!isAstNode(step) || step['type'] !== 'name' || !hasOnlyKeys(step, BARE_STEP_KEYS)) return undefined;
  const name = step['value'];
  return typeof name === 'string' && JSONATA_BUILTINS.has(name) ? { name, position: positionOf(step) } : undefined;
}

/**
 * Lets built-in functions be called without their `$` (`not(x)`, `exists(email)`), as people write them.
 * Plain JSONata would always fail such a call at run time (T1005), since JSON data holds no functions, so the
 * rewrite changes no expression that could have worked.
 */
function acceptBareBuiltinCalls(ast: AstNode): void {
  forEachNode(ast, (node) => {
    if (node['type'] !== 'function' && node['type'] !== 'partial') return;
    const bare = bareBuiltinName(node['procedure']);
    if (bare === undefined) return;
    (node as Record<string, unknown>)['procedure'] = { type: 'variable', value: bare.name, position: bare.position };
  });
}

/** Names the expression binds itself: `$x := …`, lambda parameters, `@$x` and `#$i`. */
function locallyBoundNames(ast: AstNode): Set<string> {
  const names = new Set<string>();
  forEachNode(ast, (node) => {
    if (node['type'] === 'bind' && isAstNode(node['lhs']) && typeof node['lhs']['value'] === 'string') names.add(node['lhs']['value']);
    if (node['type'] === 'lambda' && Array.isArray(node['arguments'])) {
      for (const argument of node['arguments'] as unknown[]) {
        if (isAstNode(argument) && typeof argument['value'] === 'string') names.add(argument['value']);
      }
    }
    if (typeof node['focus'] === 'string') names.add(node['focus']);
    if (typeof node['index'] === 'string') names.add(node['index']);
  });
  return names;
}

/** A call of a function that cannot exist at run time (a typo such as `$lowercas`), caught before the run. */
function unknownFunctionProblem(ast: AstNode): ExpressionProblem | undefined {
  const local = locallyBoundNames(ast);
  let found: { name: string; position: number } | undefined;
  forEachNode(ast, (node) => {
    if (node['type'] !== 'function' && node['type'] !== 'partial') return;
    const procedure = node['procedure'];
    if (!isAstNode(procedure) || procedure['type'] !== 'variable') return;
    const name = procedure['value'];
    if (typeof name !== 'string' || name === '' || JSONATA_BUILTINS.has(name) || local.has(name)) return;
    const position = positionOf(procedure);
    if (found === undefined || position < found.position) found = { name, position };
  });
  if (found === undefined) return undefined;
  const guess = didYouMean(found.name, JSONATA_BUILTINS);
  return {
    message: `unknown function $${found.name}${guess === undefined ? '' : ` — did you mean '$${guess}'?`}`,
    position: found.position,
    token: found.name,
  };
}

/** A regex literal the linear-time engine cannot run (lookaround, backreferences), caught before the run. */
function unsupportedRegexProblem(ast: AstNode): ExpressionProblem | undefined {
  let found: ExpressionProblem | undefined;
  forEachNode(ast, (node) => {
    const regex = node['value'];
    if (found !== undefined || node['type'] !== 'regex' || !(regex instanceof RegExp)) return;
    try {
      compileLinearPattern(regex.source, regex.flags);
    } catch (error) {
      const said = error instanceof Error ? error.message : 'unsupported pattern';
      found = { message: `regular expression /${regex.source}/ cannot run in linear time: ${said}`, position: positionOf(node), token: regex.source };
    }
  });
  return found;
}

const REGEX_HINT = 'regular expressions run on RE2, which has no lookahead, lookbehind or backreferences; rewrite the pattern without them';

/**
 * Parses a JSONata expression once, with the evaluation limits attached.
 * @param field the target field (absent for `where`), named in errors
 * @throws FerryError EXPRESSION_INVALID
 */
export function parseExpression(text: unknown, field: string | undefined, limits: ExpressionLimits): ParsedExpression {
  if (typeof text !== 'string') {
    // Not String(text): an object may carry a `toString` that is not a function (or throws).
    const shown = text === null || typeof text !== 'object' ? String(text) : Array.isArray(text) ? '[array]' : '[object]';
    throw expressionInvalid(field, shown, { message: `an expression must be text, got ${text === null ? 'null' : typeof text}`, position: 0 }, SYNTAX_HINT);
  }
  if (text.trim() === '') throw expressionInvalid(field, text, { message: 'the expression is empty', position: 0 }, SYNTAX_HINT);
  let compiled: jsonata.Expression;
  try {
    compiled = jsonata(text, {
      timeout: limits.timeoutMs,
      stack: limits.maxDepth,
      sequence: limits.maxSequence,
      // JSONata asks for a RegExp constructor but only constructs it and calls exec (see LinearRegExp).
      RegexEngine: LinearRegExp as unknown as RegExpConstructor,
    });
  } catch (error) {
    throw expressionInvalid(field, text, problemOf(error), SYNTAX_HINT);
  }
  // The tree JSONata evaluates is this very object, so a rewrite here is what runs.
  const ast: unknown = compiled.ast();
  if (!isAstNode(ast)) throw expressionInvalid(field, text, { message: 'the expression cannot be read', position: 0 }, SYNTAX_HINT);
  acceptBareBuiltinCalls(ast);
  const unknown = unknownFunctionProblem(ast);
  if (unknown !== undefined) {
    throw expressionInvalid(field, text, unknown, `JSONata's functions: ${[...JSONATA_BUILTINS].map((name) => `$${name}`).join(', ')}`);
  }
  const regexProblem = unsupportedRegexProblem(ast);
  if (regexProblem !== undefined) throw expressionInvalid(field, text, regexProblem, REGEX_HINT);
  return { text, compiled, ast, limits };
}
