import { FerryError } from '../../errors/ferry-error.js';

/**
 * Bounds on one JSONata evaluation, enforced by JSONata itself (its `timeout`, `stack` and `sequence` options,
 * checked on every evaluation step). Exceeding one fails the record (MAP_FAILED), never the run.
 */
export interface ExpressionLimits {
  /** Wall time of one evaluation. Shared with evaluations running alongside it, so keep it generous. */
  readonly timeoutMs: number;
  /** Depth of nested evaluation steps: bounds recursion in user functions. */
  readonly maxDepth: number;
  /** Longest sequence an expression may build (ranges, `$map` results, paths over big arrays). */
  readonly maxSequence: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = Object.freeze({
  timeoutMs: 1000,
  maxDepth: 500,
  maxSequence: 100_000,
});

/** @throws FerryError EXPRESSION_INVALID when a limit is not a positive whole number */
export function resolveLimits(overrides: Partial<ExpressionLimits> | undefined): ExpressionLimits {
  if (overrides === undefined) return DEFAULT_EXPRESSION_LIMITS;
  const limits = { ...DEFAULT_EXPRESSION_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new FerryError('EXPRESSION_INVALID', `expression limit ${name} must be a positive whole number, got ${String(value)}`, {
        hint: `leave ${name} out to use ${DEFAULT_EXPRESSION_LIMITS[name as keyof ExpressionLimits]}`,
        details: { position: 0, limit: name },
      });
    }
  }
  return limits;
}
