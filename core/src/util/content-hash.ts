import { createHash, hash, type Hash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';

/** Canonical JSON (sorted keys) of a value: equal content gives equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  return stringify(value) ?? 'null';
}

/**
 * sha256 of the canonical JSON: the link table compares it to skip writes whose content did not change.
 *
 * Hashes run once per record, so the canonical form is not built as a string: plain JSON values (objects, arrays,
 * strings, numbers, booleans, null) are written as UTF-8 straight into a reused buffer, which is hashed in one call
 * (or fed to the hash in chunks when a value outgrows it). Anything else (`toJSON`, class instances, typed arrays,
 * bigints, deep or circular values) takes `canonicalJson`. Both give the same bytes, so stored hashes keep matching.
 */
export function contentHash(value: unknown): string {
  const writer = idleWriter ?? new CanonicalHashWriter();
  idleWriter = undefined;
  try {
    return writer.digest(value) ?? sha256Hex(canonicalJson(value));
  } finally {
    idleWriter = writer;
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Bytes hashed in one call; a larger canonical form is hashed in chunks of this size. */
const CHUNK_BYTES = 64 * 1024;
/** Deeper values go to `canonicalJson`, which also detects cycles. */
const MAX_DEPTH = 64;
/** A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair is 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;

/** What JSON.stringify would escape in a string (and safe-stable-stringify with it). */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f\u0022\u005c\ud800-\udfff]/;

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const ZERO = 0x30;
const MINUS = 0x2d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Raised inside the writer when a value is not plain JSON; the caller hashes it the general way instead. */
const NOT_PLAIN = Symbol('not plain JSON');

/** The writer not in use; a hash computed while another one runs (a getter hashing) makes a writer of its own. */
let idleWriter: CanonicalHashWriter | undefined;

/** Writes the canonical JSON of plain values as UTF-8 into a reused buffer and hashes it. */
class CanonicalHashWriter {
  readonly #buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  #length = 0;
  /** Set once the canonical form outgrew the buffer: full chunks are fed to it as they fill. */
  #stream: Hash | undefined;

  /** The hex sha256 of the value's canonical JSON; undefined when the value is not plain JSON. */
  digest(value: unknown): string | undefined {
    this.#length = 0;
    this.#stream = undefined;
    try {
      if (!this.#value(value, 0)) this.#ascii('null');
    } catch (error) {
      if (error === NOT_PLAIN) return undefined;
      throw error;
    }
    const bytes = this.#buffer.subarray(0, this.#length);
    const stream = this.#takeStream();
    if (stream === undefined) return hash('sha256', bytes, 'hex');
    return stream.update(bytes).digest('hex');
  }

  #takeStream(): Hash | undefined {
    const stream = this.#stream;
    this.#stream = undefined;
    return stream;
  }

  /** Writes a value; false (nothing written) for what JSON leaves out: undefined, functions, symbols. */
  #value(value: unknown, depth: number): boolean {
    switch (typeof value) {
      case 'string':
        this.#string(value);
        return true;
      case 'number':
        this.#number(value);
        return true;
      case 'boolean':
        this.#ascii(value ? 'true' : 'false');
        return true;
      case 'undefined':
        return false;
      case 'object':
        if (value === null) {
          this.#ascii('null');
          return true;
        }
        if (depth >= MAX_DEPTH) throw NOT_PLAIN;
        if (Array.isArray(value)) {
          this.#array(value, depth + 1);
          return true;
        }
        this.#object(value, depth + 1);
        return true;
      default:
        // bigint, function, symbol: rare enough to leave to the general path.
        throw NOT_PLAIN;
    }
  }

  #array(array: readonly unknown[], depth: number): void {
    if (typeof (array as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
    this.#byte(OPEN_BRACKET);
    for (let index = 0; index < array.length; index++) {
      if (index > 0) this.#byte(COMMA);
      if (!this.#value(array[index], depth)) this.#ascii('null');
    }
    this.#byte(CLOSE_BRACKET);
  }

  #object(object: object, depth: number): void {
    const prototype: unknown = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) throw NOT_PLAIN;
    const record = object as Readonly<Record<string, unknown>>;
    if (typeof record['toJSON'] === 'function') throw NOT_PLAIN;
    const keys = sortedKeys(record);
    this.#byte(OPEN_BRACE);
    let first = true;
    for (const key of keys) {
      const value = record[key];
      // Left out as JSON leaves them out, before anything of the member is written.
      if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
      if (!first) this.#byte(COMMA);
      first = false;
      this.#string(key);
      this.#byte(COLON);
      this.#value(value, depth);
    }
    this.#byte(CLOSE_BRACE);
  }

  #number(value: number): void {
    if (!Number.isFinite(value)) {
      this.#ascii('null');
    } else if (Number.isSafeInteger(value)) {
      this.#integer(value);
    } else {
      // Not String(value): V8 caches the strings it makes from numbers, and the cache keeps them alive into the old
      // generation. JSON.stringify writes the same digits without the cache.
      this.#ascii(JSON.stringify(value));
    }
  }

  /** The digits of a safe integer, written without making a string (`String(-0)` is "0", as here). */
  #integer(value: number): void {
    if (value < 0) this.#byte(MINUS);
    let rest = Math.abs(value);
    let digits = 1;
    for (let scale = 10; scale <= rest; scale *= 10) digits += 1;
    this.#room(digits);
    const buffer = this.#buffer;
    let at = this.#length + digits;
    this.#length = at;
    do {
      at -= 1;
      buffer[at] = ZERO + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  #string(value: string): void {
    // Quotes, backslashes, control characters and surrogates are escaped exactly as JSON.stringify does.
    const text = NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : undefined;
    if (text === undefined) this.#byte(QUOTE);
    this.#utf8(text ?? value);
    if (text === undefined) this.#byte(QUOTE);
  }

  /** Text with no lone surrogate (either escaped already or free of surrogates). */
  #utf8(text: string): void {
    const most = text.length * MAX_BYTES_PER_UNIT;
    if (most > CHUNK_BYTES) {
      this.#flush();
      this.#streamed().update(text, 'utf8');
      return;
    }
    this.#room(most);
    this.#length += this.#buffer.write(text, this.#length, 'utf8');
  }

  /** Text known to be ASCII (keywords, number forms). */
  #ascii(text: string): void {
    this.#room(text.length);
    const buffer = this.#buffer;
    let at = this.#length;
    for (let index = 0; index < text.length; index++) buffer[at++] = text.charCodeAt(index);
    this.#length = at;
  }

  #byte(byte: number): void {
    if (this.#length === CHUNK_BYTES) this.#flush();
    this.#buffer[this.#length++] = byte;
  }

  /** Makes room for `bytes` more (at most CHUNK_BYTES) by hashing what the buffer holds. */
  #room(bytes: number): void {
    if (this.#length + bytes > CHUNK_BYTES) this.#flush();
  }

  #flush(): void {
    if (this.#length === 0) return;
    this.#streamed().update(this.#buffer.subarray(0, this.#length));
    this.#length = 0;
  }

  #streamed(): Hash {
    return (this.#stream ??= createHash('sha256'));
  }
}

const INSERTION_SORT_MAX = 64;

/** Own enumerable string keys in code-unit order, as safe-stable-stringify sorts them. */
function sortedKeys(record: Readonly<Record<string, unknown>>): string[] {
  const keys = Object.keys(record);
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  // Insertion sort: records have a handful of keys, often already in order, and it allocates nothing.
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index] as string;
    let at = index;
    while (at > 0 && (keys[at - 1] as string) > key) {
      keys[at] = keys[at - 1] as string;
      at -= 1;
    }
    keys[at] = key;
  }
  return keys;
}
