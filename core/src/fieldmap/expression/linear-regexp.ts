import { RE2JS } from 're2js';

/**
 * The regular-expression engine JSONata runs ferry expressions with: RE2 (via re2js), which matches in time
 * linear in the input. JavaScript's backtracking RegExp can take exponential time on patterns like `(a+)+$`,
 * and a single match is one step to JSONata, out of reach of its timeout; with RE2 no record value can stall a
 * run. RE2 has no lookaround or backreferences; such patterns are refused when the expression is compiled.
 *
 * JSONata constructs the engine with its parsed literal (flags `g` plus `i`/`m`) and uses only `lastIndex` and
 * `exec`, which behave here as they do on a global RegExp.
 */

const CACHE_LIMIT = 256;
// JSONata builds its engine object on every evaluation of a regex literal: compile each pattern once.
const compiledPatterns = new Map<string, RE2JS>();

export function compileLinearPattern(source: string, flags: string): RE2JS {
  const key = `${flags}/${source}`;
  let compiled = compiledPatterns.get(key);
  if (compiled === undefined) {
    let options = 0;
    if (flags.includes('i')) options |= RE2JS.CASE_INSENSITIVE;
    if (flags.includes('m')) options |= RE2JS.MULTILINE;
    if (flags.includes('s')) options |= RE2JS.DOTALL;
    compiled = RE2JS.compile(source, options);
    if (compiledPatterns.size >= CACHE_LIMIT) compiledPatterns.clear();
    compiledPatterns.set(key, compiled);
  }
  return compiled;
}

type ExecResult = (string | undefined)[] & { index: number; input: string };

export class LinearRegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  private readonly pattern: RE2JS;

  constructor(regex: RegExp | string, flags?: string) {
    this.source = typeof regex === 'string' ? regex : regex.source;
    this.flags = flags ?? (typeof regex === 'string' ? '' : regex.flags);
    this.pattern = compileLinearPattern(this.source, this.flags);
  }

  exec(text: string): ExecResult | null {
    const global = this.flags.includes('g');
    const from = global ? this.lastIndex : 0;
    if (from > text.length) {
      this.lastIndex = 0;
      return null;
    }
    const matcher = this.pattern.matcher(text);
    if (!matcher.find(from)) {
      if (global) this.lastIndex = 0;
      return null;
    }
    const result = [matcher.group(0) ?? ''] as ExecResult;
    for (let group = 1; group <= matcher.groupCount(); group++) result.push(matcher.group(group) ?? undefined);
    result.index = matcher.start();
    result.input = text;
    if (global) this.lastIndex = matcher.end();
    return result;
  }

  test(text: string): boolean {
    return this.exec(text) !== null;
  }
}
