import type { JsonRecord } from '../contract/json-schema.js';
import { fieldMapInvalid } from './fieldmap-errors.js';
import { formatPath, parsePath } from './path.js';

/** Writes one target field into the output record, creating the parent objects of a dotted name on demand. */
export type TargetWriter = (out: JsonRecord, value: unknown) => void;

export interface CompiledTarget {
  readonly field: string;
  /** The name's keys (`dndSettings.SMS.status` → three keys). */
  readonly keys: readonly string[];
  /** Canonical text of the name, to find two spellings of one target. */
  readonly canonical: string;
  readonly write: TargetWriter;
}

const TARGET_HINT = 'name the target field (`email`), or a nested one with dots (`dndSettings.SMS.status`); quote a key that holds a dot: `"utm.source"`';

const hasOwn = Object.hasOwn;

function compileWriter(keys: readonly string[]): TargetWriter {
  const last = keys[keys.length - 1] as string;
  if (keys.length === 1) {
    return (out, value) => {
      out[last] = value;
    };
  }
  const parents = keys.slice(0, -1);
  return (out, value) => {
    let target: JsonRecord = out;
    for (const key of parents) {
      let next = hasOwn(target, key) ? target[key] : undefined;
      if (next === undefined) {
        next = {};
        target[key] = next;
      }
      // Compile-time checks rule out a value and a nested field at the same name, so this is always our object.
      target = next as JsonRecord;
    }
    target[last] = value;
  };
}

/** @throws FerryError FIELDMAP_INVALID */
export function compileTarget(field: string): CompiledTarget {
  const segments = parsePath(field, field);
  const keys: string[] = [];
  for (const segment of segments) {
    if (segment.kind !== 'key') throw fieldMapInvalid(field, 'a target field cannot hold list positions ([0] or [])', TARGET_HINT);
    keys.push(segment.key);
  }
  return { field, keys, canonical: formatPath(segments), write: compileWriter(keys) };
}

/**
 * Rejects two targets that would overwrite each other: the same field spelt twice (`a.b`, `a["b"]`), or a
 * value and a nested field under it (`address` and `address.city`).
 * @throws FerryError FIELDMAP_INVALID
 */
export function checkTargetsApart(targets: readonly CompiledTarget[]): void {
  const byCanonical = new Map<string, CompiledTarget>();
  for (const target of targets) {
    const same = byCanonical.get(target.canonical);
    if (same !== undefined) {
      throw fieldMapInvalid(target.field, `'${target.field}' and '${same.field}' name the same target field`, 'keep one of the two entries');
    }
    byCanonical.set(target.canonical, target);
  }
  for (const target of targets) {
    for (let length = 1; length < target.keys.length; length++) {
      const parent = formatPath(target.keys.slice(0, length).map((key) => ({ kind: 'key', key })));
      const clash = byCanonical.get(parent);
      if (clash !== undefined) {
        throw fieldMapInvalid(
          target.field,
          `'${target.field}' is nested under '${clash.field}', which the map also sets as a whole`,
          `map either '${clash.field}' as a whole or its parts, not both`,
        );
      }
    }
  }
}
