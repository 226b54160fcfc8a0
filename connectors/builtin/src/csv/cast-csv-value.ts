import type { CsvColumnType } from './csv-settings.js';

export type CastResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly expected: string };

const TRUE_WORDS = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'f', 'no', 'n', '0']);

/** A cell as the configured type; an empty cell of a typed column is null (a missing value, not zero or false). */
export function castCsvValue(cell: string, type: CsvColumnType): CastResult {
  if (type === 'string') return { ok: true, value: cell };
  const text = cell.trim();
  if (text === '') return { ok: true, value: null };
  if (type === 'boolean') {
    const word = text.toLowerCase();
    if (TRUE_WORDS.has(word)) return { ok: true, value: true };
    if (FALSE_WORDS.has(word)) return { ok: true, value: false };
    return { ok: false, expected: 'a boolean (true/false, yes/no, 1/0)' };
  }
  const number = Number(text);
  if (!Number.isFinite(number)) return { ok: false, expected: type === 'integer' ? 'an integer' : 'a number' };
  if (type === 'integer' && !Number.isSafeInteger(number)) return { ok: false, expected: 'an integer' };
  return { ok: true, value: number };
}
