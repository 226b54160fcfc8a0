import { FerryError, type JsonRecord } from '@ferry/core';

/**
 * Defensive readers for what the API sends: the facts are partly unverified, so a field of an unexpected type is
 * read as null (or rejected, for ids) instead of flowing on with the wrong type.
 */

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function unexpectedResponse(what: string, detail: string): FerryError {
  return new FerryError('SALESMSG_UNEXPECTED_RESPONSE', `Salesmsg answered with an unexpected ${what}: ${detail}`, {
    hint: 'the API may have changed: the facts this connector relies on are in connectors/salesmsg/src/api-table.ts — report the answer with its trace',
  });
}

/** An integer id (the API's ids are integers; digit strings are accepted), or undefined. */
export function integerId(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) {
    const parsed = Number(value.trim());
    return parsed > 0 ? parsed : undefined;
  }
  return undefined;
}

export function stringOrNull(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export function integerOrNull(value: unknown): number | null {
  return integerId(value) ?? (value === 0 ? 0 : null);
}

export function booleanOrNull(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === '1') return true;
  if (value === 0 || value === '0') return false;
  return null;
}

export function arrayOf<T>(value: unknown, read: (item: unknown) => T | undefined): T[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const found = read(item);
    return found === undefined ? [] : [found];
  });
}
