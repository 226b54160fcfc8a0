import type { JsonRecord } from '../../contract/json-schema.js';
import type { FerryError } from '../../errors/ferry-error.js';
import { evaluateExpression, expressionFailure, isStackExhaustion, type ExpressionVars } from '../expression/evaluate-expression.js';
import { resolveLimits, type ExpressionLimits } from '../expression/expression-limits.js';
import { parseExpression, type ParsedExpression } from '../expression/parse-expression.js';
import { mapFailed } from '../fieldmap-errors.js';
import { compileFastPredicate } from './fast-predicate.js';
import { boolize, JsonataRuleError } from './jsonata-semantics.js';

export interface CompiledPredicate {
  /**
   * True when the record passes. Sync unless `isAsync`. A record the expression cannot judge (comparing text
   * with a number, a timeout) throws FerryError MAP_FAILED with `field: 'where'`.
   */
  test(record: JsonRecord, vars?: Readonly<Record<string, unknown>>): boolean | Promise<boolean>;
  /** False when the expression compiled to plain JavaScript; true when JSONata evaluates it. */
  readonly isAsync: boolean;
  readonly expression: string;
}

export interface WhereOptions {
  readonly limits?: Partial<ExpressionLimits>;
}

const WHERE_HINT = 'the record holds a value the filter does not expect; guard it, e.g. `$exists(age) and age > 18`';

function fastFailure(error: unknown, parsed: ParsedExpression): FerryError {
  if (error instanceof JsonataRuleError) {
    return mapFailed({ field: 'where', value: error.value, reason: `filter failed: ${error.message}`, hint: WHERE_HINT, extra: { jsonataCode: error.jsonataCode } });
  }
  if (isStackExhaustion(error)) {
    return mapFailed({ field: 'where', value: parsed.text, reason: 'the record is nested too deeply to compare', hint: 'compare a nested field instead of a whole object', cause: error });
  }
  return expressionFailure(error, 'where', parsed);
}

/**
 * Compiles a `where` filter: JSONata, run as plain JavaScript when it stays within the common subset (paths,
 * literals, comparisons, and/or/in, $not/$exists/$contains/$boolean), else by JSONata itself. A result that is
 * not a boolean counts as JSONata's `$boolean` would have it (no value is false).
 * @throws FerryError EXPRESSION_INVALID
 */
export function compileWhere(expression: string, options?: WhereOptions): CompiledPredicate {
  const parsed = parseExpression(expression, undefined, resolveLimits(options?.limits));
  const fast = compileFastPredicate(parsed.ast);
  if (fast !== undefined) {
    return {
      isAsync: false,
      expression,
      test(record: JsonRecord, vars?: ExpressionVars): boolean {
        try {
          return fast(record, vars);
        } catch (error) {
          throw fastFailure(error, parsed);
        }
      },
    };
  }
  return {
    isAsync: true,
    expression,
    async test(record: JsonRecord, vars?: ExpressionVars): Promise<boolean> {
      try {
        return boolize(await evaluateExpression(parsed, record, vars));
      } catch (error) {
        throw expressionFailure(error, 'where', parsed);
      }
    },
  };
}
