/** True for what JSON can hold: null, booleans, finite numbers, strings, and arrays/plain objects of those. */
export function isJsonValue(value: unknown, depth = 0): boolean {
  if (depth > 100) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
  if (typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every((item) => isJsonValue(item, depth + 1));
}

/**
 * A supplier of a fixed value that every record gets its own copy of when it is an object or a list, so that a
 * later stage changing one record's output cannot change the next record's.
 */
export function fixedValue(value: unknown): () => unknown {
  if (value === null || typeof value !== 'object') return () => value;
  return () => structuredClone(value);
}
