import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';

/** Canonical JSON (sorted keys) of a value: equal content gives equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  return stringify(value) ?? 'null';
}

/** sha256 of the canonical JSON: the link table compares it to skip writes whose content did not change. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
