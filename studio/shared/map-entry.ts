import type { ConvertStep, MapEntry } from './api-types.js';

/**
 * Edits of one field-map entry, kept in the file's shortest form: a bare source path while the entry has no
 * convert and no default, `{ from, convert?, default? }` once it has one.
 */

export type EntryKind = 'path' | 'const' | 'expr';

export function entryKind(entry: MapEntry): EntryKind {
  if (typeof entry === 'string' || 'from' in entry) return 'path';
  return 'const' in entry ? 'const' : 'expr';
}

/** The source path an entry reads, if it reads one. */
export function sourcePathOf(entry: MapEntry | undefined): string | undefined {
  if (entry === undefined) return undefined;
  if (typeof entry === 'string') return entry;
  return 'from' in entry ? entry.from : undefined;
}

export function convertsOf(entry: MapEntry | undefined): readonly ConvertStep[] {
  if (entry === undefined || typeof entry === 'string' || !('from' in entry) || entry.convert === undefined) return [];
  return Array.isArray(entry.convert) ? (entry.convert as readonly ConvertStep[]) : [entry.convert as ConvertStep];
}

export function defaultOf(entry: MapEntry | undefined): unknown {
  if (entry === undefined || typeof entry === 'string' || 'const' in entry) return undefined;
  return entry.default;
}

function pathEntry(from: string, converts: readonly ConvertStep[], fallback: unknown): MapEntry {
  if (converts.length === 0 && fallback === undefined) return from;
  return {
    from,
    ...(converts.length === 0 ? {} : { convert: converts.length === 1 ? (converts[0] as ConvertStep) : [...converts] }),
    ...(fallback === undefined ? {} : { default: fallback }),
  };
}

/** Points the entry at a source path, keeping its converts and default when it already read a path. */
export function withSourcePath(entry: MapEntry | undefined, path: string): MapEntry {
  if (entry === undefined || entryKind(entry) !== 'path') return path;
  return pathEntry(path, convertsOf(entry), defaultOf(entry));
}

export function withConverts(entry: MapEntry, converts: readonly ConvertStep[]): MapEntry {
  const path = sourcePathOf(entry);
  if (path === undefined) return entry;
  return pathEntry(path, converts, defaultOf(entry));
}

export function withDefault(entry: MapEntry, fallback: unknown): MapEntry {
  const path = sourcePathOf(entry);
  if (path !== undefined) return pathEntry(path, convertsOf(entry), fallback);
  if (typeof entry !== 'string' && 'expr' in entry) return fallback === undefined ? { expr: entry.expr } : { expr: entry.expr, default: fallback };
  return entry;
}

/** The bare step of a convert name, or its object form with the options the person gave. */
export function convertStep(name: string, option?: string): ConvertStep {
  const value = option?.trim() ?? '';
  switch (name) {
    case 'phone-e164':
      return value === '' ? name : { phone: { country: value.toUpperCase() } };
    case 'split':
      return { split: option === undefined || option === '' ? ',' : option };
    case 'join':
      return { join: option === undefined || option === '' ? ', ' : option };
    case 'date':
      return value === '' ? name : { date: { format: value } };
    default:
      return name;
  }
}

/** The option text shown beside a convert (the country, the separator, the date format). */
export function convertOption(step: ConvertStep): string {
  if (typeof step === 'string') return '';
  if ('phone' in step) return step.phone.country ?? '';
  if ('split' in step) return step.split;
  if ('join' in step) return step.join;
  return step.date.format ?? '';
}

/**
 * A constant typed in a text box: JSON when it parses as JSON (`42`, `true`, `["a"]`, `"quoted"`), else the text.
 */
export function parseConstant(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

export function formatConstant(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
