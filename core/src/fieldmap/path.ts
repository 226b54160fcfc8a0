import { fieldMapInvalid } from './fieldmap-errors.js';

/**
 * Source paths: `a.b.c`, `emails[0]`, `emails[-1]` (from the end), `tags[].label` (every element),
 * `"key.with.dots".x`, `` `key`.x `` and `a["key"]`. A path is parsed once and compiled into plain property reads.
 */
export type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'each' };

/** Keys that would read or write through an object's prototype. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

const PATH_HINT =
  'write a path like `address.city`, `emails[0]` or `tags[].label`; quote a key that holds dots or brackets: `"utm.source"`';

class PathSyntaxError extends Error {}

function readQuoted(path: string, start: number): { key: string; end: number } {
  const quote = path[start];
  let key = '';
  let i = start + 1;
  while (i < path.length) {
    const char = path[i];
    if (char === '\\') {
      const next = path[i + 1];
      if (next === undefined) break;
      key += next;
      i += 2;
      continue;
    }
    if (char === quote) return { key, end: i + 1 };
    key += char;
    i += 1;
  }
  throw new PathSyntaxError(`unclosed quote ${quote} starting at position ${start + 1}`);
}

function isQuote(char: string | undefined): boolean {
  return char === '"' || char === "'" || char === '`';
}

function pushKey(segments: PathSegment[], key: string): void {
  if (isForbiddenKey(key)) throw new PathSyntaxError(`'${key}' is not allowed in a path (it would reach the object prototype)`);
  segments.push({ kind: 'key', key });
}

/** `[0]`, `[-1]`, `[]` or `["key"]`, starting at the `[`; returns the position after `]`. */
function readBracket(path: string, start: number, segments: PathSegment[]): number {
  const inner = path[start + 1];
  if (inner === ']') {
    segments.push({ kind: 'each' });
    return start + 2;
  }
  if (isQuote(inner)) {
    const { key, end } = readQuoted(path, start + 1);
    if (path[end] !== ']') throw new PathSyntaxError(`expected ']' at position ${end + 1}`);
    pushKey(segments, key);
    return end + 1;
  }
  const close = path.indexOf(']', start);
  if (close === -1) throw new PathSyntaxError(`unclosed '[' at position ${start + 1}`);
  const text = path.slice(start + 1, close);
  if (!/^-?\d{1,9}$/.test(text)) {
    throw new PathSyntaxError(`'[${text}]' is not an index: use [0], [-1] (last) or [] (every element)`);
  }
  segments.push({ kind: 'index', index: Number(text) });
  return close + 1;
}

function readBare(path: string, start: number): { key: string; end: number } {
  let end = start;
  while (end < path.length && !'.[]"\'`'.includes(path[end] ?? '')) end += 1;
  const key = path.slice(start, end);
  if (key === '') throw new PathSyntaxError(`empty key at position ${start + 1}`);
  if (key.trim() !== key) throw new PathSyntaxError(`key '${key}' starts or ends with a space; quote it if that is meant`);
  return { key, end };
}

function parseSegments(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  let i = 0;
  let expectKey = true;
  while (i < path.length) {
    const char = path[i];
    if (expectKey) {
      if (char === '[') {
        i = readBracket(path, i, segments);
      } else if (isQuote(char)) {
        const { key, end } = readQuoted(path, i);
        pushKey(segments, key);
        i = end;
      } else {
        const { key, end } = readBare(path, i);
        pushKey(segments, key);
        i = end;
      }
      expectKey = false;
    } else if (char === '.') {
      i += 1;
      expectKey = true;
      if (i === path.length) throw new PathSyntaxError('path ends with a dot');
    } else if (char === '[') {
      i = readBracket(path, i, segments);
    } else {
      throw new PathSyntaxError(`unexpected '${char}' at position ${i + 1}`);
    }
  }
  if (segments.length === 0) throw new PathSyntaxError('the path is empty');
  return segments;
}

/**
 * Parses a source path; `field` names the target field in the error.
 * @throws FerryError FIELDMAP_INVALID
 */
export function parsePath(path: string, field?: string): readonly PathSegment[] {
  if (typeof path !== 'string') {
    throw fieldMapInvalid(field, `a path must be text, got ${typeof path}`, PATH_HINT);
  }
  try {
    return parseSegments(path);
  } catch (error) {
    if (error instanceof PathSyntaxError) throw fieldMapInvalid(field, `bad path '${path}': ${error.message}`, PATH_HINT);
    throw error;
  }
}

/** The canonical text of a parsed path: equal paths compare equal however they were quoted. */
export function formatPath(segments: readonly PathSegment[]): string {
  let text = '';
  for (const segment of segments) {
    if (segment.kind === 'each') text += '[]';
    else if (segment.kind === 'index') text += `[${segment.index}]`;
    else if (/^[^.[\]"'`]+$/.test(segment.key) && segment.key.trim() === segment.key) text += text === '' ? segment.key : `.${segment.key}`;
    else text += `["${segment.key.replace(/["\\]/g, '\\$&')}"]`;
  }
  return text;
}

type Read = (value: unknown) => unknown;

const hasOwn = Object.hasOwn;

function readKey(key: string): Read {
  return (value) => (value !== null && typeof value === 'object' && hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined);
}

/** A run of keys and indexes without `[]`: a loop of own-property reads. */
function readPlain(segments: readonly PathSegment[]): Read {
  if (segments.length === 1 && segments[0]?.kind === 'key') return readKey(segments[0].key);
  const keys: (string | number)[] = segments.map((segment) => (segment.kind === 'key' ? segment.key : segment.kind === 'index' ? segment.index : 0));
  const isIndex = segments.map((segment) => segment.kind === 'index');
  const count = keys.length;
  return (value) => {
    let current = value;
    for (let i = 0; i < count; i++) {
      if (current === null || typeof current !== 'object') return undefined;
      if (isIndex[i] === true) {
        if (!Array.isArray(current)) return undefined;
        const index = keys[i] as number;
        current = current[index < 0 ? current.length + index : index];
      } else {
        const key = keys[i] as string;
        if (!hasOwn(current, key)) return undefined;
        current = (current as Record<string, unknown>)[key];
      }
    }
    return current;
  };
}

function compileSegments(segments: readonly PathSegment[]): Read {
  const each = segments.findIndex((segment) => segment.kind === 'each');
  if (each === -1) return readPlain(segments);
  const head = each === 0 ? (value: unknown) => value : readPlain(segments.slice(0, each));
  const rest = segments.slice(each + 1);
  const tail = rest.length === 0 ? undefined : compileSegments(rest);
  // A projection inside the rest (`a[].b[].c`) yields arrays that are flattened into one list.
  const flatten = rest.some((segment) => segment.kind === 'each');
  return (value) => {
    const list = head(value);
    if (list === undefined || list === null) return undefined;
    // A single object where a list was expected is a list of one (APIs often collapse one-element lists).
    const items: readonly unknown[] = Array.isArray(list) ? list : [list];
    if (tail === undefined) return items.slice();
    const out: unknown[] = [];
    for (const item of items) {
      const picked = tail(item);
      if (picked === undefined) continue;
      if (flatten && Array.isArray(picked)) for (const inner of picked) out.push(inner);
      else out.push(picked);
    }
    return out;
  };
}

/** Compiles parsed segments into a reader. */
export function compileSegmentsReader(segments: readonly PathSegment[]): (record: unknown) => unknown {
  return compileSegments(segments);
}

/**
 * Compiles a source path into a function that reads it from a record; a missing step yields undefined.
 * Only own properties are read, so `toString` or `__proto__` never resolve to something inherited.
 * @throws FerryError FIELDMAP_INVALID on a malformed path
 */
export function compilePath(path: string): (record: unknown) => unknown {
  return compileSegments(parsePath(path));
}
