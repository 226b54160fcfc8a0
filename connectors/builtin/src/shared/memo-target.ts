import type { ActionRequest } from '@ferry/core';

type TargetInput = Pick<ActionRequest, 'options' | 'source'>;

/**
 * Remembers what `resolve` worked out for a write's (options, source) pair: a run passes the same two objects
 * with every record, so the table and key are checked once per run, not once per record. Weak maps let a
 * finished run's options and source be collected.
 */
export function memoTarget<T>(resolve: (options: TargetInput['options'], source: TargetInput['source']) => T): (request: TargetInput) => T {
  const known = new WeakMap<object, WeakMap<object, T>>();
  return ({ options, source }) => {
    let bySource = known.get(options);
    const hit = bySource?.get(source);
    if (hit !== undefined) return hit;
    const target = resolve(options, source);
    if (bySource === undefined) {
      bySource = new WeakMap();
      known.set(options, bySource);
    }
    bySource.set(source, target);
    return target;
  };
}
