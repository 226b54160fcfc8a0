import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { stringify } from 'safe-stable-stringify';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash } from './content-hash.js';

/** How hashes were made before the canonical form was written straight into the hash: links store these. */
function hashAsStored(value: unknown): string {
  return createHash('sha256')
    .update(stringify(value) ?? 'null')
    .digest('hex');
}

/** Deep enough to leave the fast path (it hands values deeper than 64 levels to the general one). */
function nested(depth: number): unknown {
  let value: unknown = { leaf: 'é' };
  for (let level = 0; level < depth; level++) value = level % 2 === 0 ? [value] : { level, value };
  return value;
}

describe('contentHash', () => {
  it('ignores key order and sees every value change', () => {
    expect(contentHash({ a: 1, b: { c: [1, 2] } })).toBe(contentHash({ b: { c: [1, 2] }, a: 1 }));
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('is the sha256 of the canonical JSON text', () => {
    const text = '{"a":"x\\n\\"y\\"","b":[1,null,-0.5,true],"c":{"d":null},"é":"😀"}';
    const expected = createHash('sha256').update(text, 'utf8').digest('hex');
    expect(contentHash({ é: '😀', c: { d: null, e: undefined }, b: [1, undefined, -0.5, true], a: 'x\n"y"' })).toBe(expected);
    expect(contentHash(undefined)).toBe(createHash('sha256').update('null').digest('hex'));
  });

  it('gives the hash stored before for any JSON value, unicode and lone surrogates included', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary', maxDepth: 6 }), (value) => {
        expect(contentHash(value)).toBe(hashAsStored(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the hash stored before for values beyond JSON (dates, bigints, maps, typed arrays, sparse arrays, boxed values)', () => {
    const anything = fc.anything({
      stringUnit: 'binary',
      maxDepth: 4,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(anything, (value) => {
        expect(contentHash(value)).toBe(hashAsStored(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the hash stored before for numbers of every kind', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.maxSafeInteger(), fc.constantFrom(-0, Number.MAX_VALUE, 1e21, -1e-7, Number.NaN)), (value) => {
        expect(contentHash({ value, list: [value] })).toBe(hashAsStored({ value, list: [value] }));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the hash stored before when the canonical form spans many chunks', () => {
    const multibyte = 'ü€😀'.repeat(9000);
    const values: unknown[] = [
      { text: 'x'.repeat(70_000) },
      { text: multibyte, after: 'tail' },
      { quoted: '"\\'.repeat(30_000) },
      Array.from({ length: 5000 }, (_, index) => ({ index, name: `row ${index} é`, tags: ['a', 'b'] })),
      Array.from({ length: 3 }, () => multibyte),
    ];
    for (const value of values) expect(contentHash(value)).toBe(hashAsStored(value));
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 4000 }), { maxLength: 60 }), (strings) => {
        expect(contentHash(strings)).toBe(hashAsStored(strings));
      }),
      { numRuns: 200 },
    );
  });

  it('gives the hash stored before for toJSON, class instances, cycles, deep values and keys to escape', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic['self'] = { back: cyclic };
    const values: unknown[] = [
      { when: new Date(Date.UTC(2024, 0, 1)), nested: { toJSON: () => ({ z: 1, a: 2 }) } },
      { point: new Point(1, 2), list: [new Point(3, 4)] },
      { toJSON: () => undefined },
      cyclic,
      nested(63),
      nested(64),
      nested(200),
      { 'a"b': 1, 'tab\t': 2, '\ud800': 3, 'z😀': 4, '': 5, '10': 6, '9': 7 },
      Object.assign(Object.create(null) as object, { b: 1, a: [] }),
      { skipped: () => 1, symbol: Symbol('s'), list: [() => 1, Symbol('t'), undefined] },
      { count: 10n },
      Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`key${(index * 7919) % 300}`, index])),
    ];
    for (const value of values) expect(contentHash(value)).toBe(hashAsStored(value));
  });

  it('hashes correctly when a getter hashes another value meanwhile', () => {
    const inner = { b: 2, a: 1 };
    const value = {
      get hashed(): string {
        return contentHash(inner);
      },
      plain: 'x',
    };
    expect(contentHash(value)).toBe(hashAsStored(value));
    expect(contentHash(inner)).toBe(hashAsStored(inner));
  });
});
