import type { JsonRecord } from '../contract/json-schema.js';
import { canonicalJson } from '../util/content-hash.js';
import type { FieldDiff } from './run-types.js';

function isPlainObject(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Leaves of a record as dotted paths; arrays are compared as a whole. */
function flatten(value: JsonRecord, prefix: string, into: Map<string, unknown>): void {
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(child) && Object.keys(child).length > 0) flatten(child, path, into);
    else into.set(path, child);
  }
}

/**
 * Field-level differences between what a destination holds and what a run would write.
 * `scope: 'mapped'` compares only the fields the map writes (the destination record has many more);
 * `scope: 'both'` also reports fields that the last write had and the new one drops.
 */
export function fieldDiff(before: JsonRecord | undefined, after: JsonRecord, scope: 'mapped' | 'both'): FieldDiff[] {
  const old = new Map<string, unknown>();
  if (before !== undefined) flatten(before, '', old);
  const now = new Map<string, unknown>();
  flatten(after, '', now);
  const diff: FieldDiff[] = [];
  for (const [field, value] of now) {
    const previous = old.get(field);
    if (canonicalJson(previous) !== canonicalJson(value)) diff.push({ field, before: previous, after: value });
  }
  if (scope === 'both') {
    for (const [field, previous] of old) {
      if (!now.has(field)) diff.push({ field, before: previous, after: undefined });
    }
  }
  return diff;
}
