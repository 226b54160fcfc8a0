import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromPgText, toPgText } from './pg-text.js';

/** Any sequence of UTF-16 code units: NUL, lone surrogates and ESC included. */
const anyString = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)), maxLength: 40 });

function storable(text: string): boolean {
  return !text.includes('\u0000') && !/\p{Surrogate}/u.test(text);
}

describe('pg text', () => {
  it('leaves ordinary strings as they are', () => {
    for (const text of ['', 'contacts', 'é💡', 'q"b\\c', ' spaced ', '{"a":1}', '2024-05-01T10:00:00.000Z']) {
      expect(toPgText(text)).toBe(text);
      expect(fromPgText(text)).toBe(text);
    }
  });

  it('stores NUL and lone surrogates as ASCII escapes and reads them back exactly', () => {
    for (const text of ['nul\u0000x', 'lone\ud800', 'lone\udfff', '\u001bstarts with ESC']) {
      const stored = toPgText(text);
      expect(storable(stored)).toBe(true);
      expect(stored).not.toBe(text);
      expect(fromPgText(stored)).toBe(text);
    }
  });

  it('round-trips every string, keeps different strings different, and stores only what PostgreSQL text can hold', () => {
    fc.assert(
      fc.property(anyString, anyString, (a, b) => {
        expect(fromPgText(toPgText(a))).toBe(a);
        expect(storable(toPgText(a))).toBe(true);
        expect(toPgText(a) === toPgText(b)).toBe(a === b);
      }),
      { numRuns: 2000 },
    );
  });

  it('shows a stored ESC string that it did not write as it is', () => {
    expect(fromPgText('\u001bnot json')).toBe('\u001bnot json');
    expect(fromPgText('\u001b123')).toBe('\u001b123');
  });
});
