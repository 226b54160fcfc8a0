import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFerryError } from '../errors/ferry-error.js';
import { compilePath, formatPath, parsePath, type PathSegment } from './path.js';

describe('parsePath', () => {
  it('reads keys, indexes, projections and quoted keys', () => {
    expect(parsePath('address.city')).toEqual([
      { kind: 'key', key: 'address' },
      { kind: 'key', key: 'city' },
    ]);
    expect(parsePath('emails[0]')).toEqual([
      { kind: 'key', key: 'emails' },
      { kind: 'index', index: 0 },
    ]);
    expect(parsePath('tags[].label')).toEqual([{ kind: 'key', key: 'tags' }, { kind: 'each' }, { kind: 'key', key: 'label' }]);
    expect(parsePath('"utm.source".x')).toEqual([
      { kind: 'key', key: 'utm.source' },
      { kind: 'key', key: 'x' },
    ]);
    expect(parsePath("custom['a.b'][-1]")).toEqual([
      { kind: 'key', key: 'custom' },
      { kind: 'key', key: 'a.b' },
      { kind: 'index', index: -1 },
    ]);
    expect(parsePath('`First Name`')).toEqual([{ kind: 'key', key: 'First Name' }]);
    expect(parsePath('First Name')).toEqual([{ kind: 'key', key: 'First Name' }]);
    expect(parsePath('"say \\"hi\\""')).toEqual([{ kind: 'key', key: 'say "hi"' }]);
  });

  it('refuses malformed paths with FIELDMAP_INVALID naming the field', () => {
    for (const bad of ['', 'a..b', '.a', 'a.', 'a[', 'a[x]', 'a[0', '"open', 'a"b"', ' a', 'a[0]b', 'a[1.5]']) {
      try {
        parsePath(bad, 'target');
        expect.fail(`accepted ${JSON.stringify(bad)}`);
      } catch (error) {
        expect(isFerryError(error) && error.code === 'FIELDMAP_INVALID').toBe(true);
        if (isFerryError(error)) {
          expect(error.details['field']).toBe('target');
          expect(error.hint).toBeTruthy();
        }
      }
    }
  });

  it('refuses keys that lead to the prototype, however written', () => {
    for (const bad of ['__proto__', 'a.__proto__.b', 'constructor.prototype', 'a["__proto__"]', '`constructor`', 'x.prototype']) {
      expect(() => parsePath(bad)).toThrow(/prototype/);
    }
  });

  it('round-trips through its canonical text', () => {
    const segment: fc.Arbitrary<PathSegment> = fc.oneof(
      fc.string({ minLength: 1, maxLength: 8, unit: 'binary' }).filter((key) => !['__proto__', 'constructor', 'prototype'].includes(key)).map((key) => ({ kind: 'key' as const, key })),
      fc.integer({ min: -5, max: 50 }).map((index) => ({ kind: 'index' as const, index })),
      fc.constant({ kind: 'each' as const }),
    );
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        expect(parsePath(formatPath(segments))).toEqual(segments.map((s) => (s.kind === 'index' && Object.is(s.index, -0) ? { ...s, index: 0 } : s)));
      }),
    );
  });
});

describe('compilePath', () => {
  const record = {
    first_name: 'Ada',
    address: { city: 'London', geo: { lat: 51.5 } },
    emails: ['a@x.co', 'b@x.co'],
    tags: [{ label: 'customer' }, { label: 'vip' }, { other: 1 }, null],
    groups: [{ members: [{ id: 1 }, { id: 2 }] }, { members: { id: 3 } }, {}],
    'utm.source': 'ads',
    empty: [],
  };

  it('reads nested keys and indexes', () => {
    expect(compilePath('first_name')(record)).toBe('Ada');
    expect(compilePath('address.geo.lat')(record)).toBe(51.5);
    expect(compilePath('emails[0]')(record)).toBe('a@x.co');
    expect(compilePath('emails[-1]')(record)).toBe('b@x.co');
    expect(compilePath('emails[5]')(record)).toBeUndefined();
    expect(compilePath('"utm.source"')(record)).toBe('ads');
    expect(compilePath('address.missing.deeper')(record)).toBeUndefined();
    expect(compilePath('first_name.length')(record)).toBeUndefined();
    expect(compilePath('address[0]')(record)).toBeUndefined();
  });

  it('projects lists, leaving out members without the value, and flattens nested projections', () => {
    expect(compilePath('tags[].label')(record)).toEqual(['customer', 'vip']);
    expect(compilePath('groups[].members[].id')(record)).toEqual([1, 2, 3]);
    expect(compilePath('groups[].members')(record)).toEqual([[{ id: 1 }, { id: 2 }], { id: 3 }]);
    expect(compilePath('empty[].x')(record)).toEqual([]);
    expect(compilePath('address[].city')(record)).toEqual(['London']);
    expect(compilePath('missing[].x')(record)).toBeUndefined();
    const all = compilePath('emails[]')(record);
    expect(all).toEqual(record.emails);
    expect(all).not.toBe(record.emails);
  });

  it('reads own properties only', () => {
    expect(compilePath('toString')({})).toBeUndefined();
    expect(compilePath('a.hasOwnProperty')({ a: {} })).toBeUndefined();
    expect(compilePath('a.valueOf')({ a: [] })).toBeUndefined();
    const parsed = JSON.parse('{"a": {"__proto__": {"polluted": true}}}') as Record<string, unknown>;
    expect(compilePath('a.polluted')(parsed)).toBeUndefined();
  });

  it('never throws, whatever the record', () => {
    const paths = ['a', 'a.b', 'a[0].b', 'a[].b', 'a[].b[].c', 'a[-1]'].map((path) => compilePath(path));
    fc.assert(
      fc.property(fc.anything(), (value) => {
        for (const read of paths) read(value);
      }),
    );
  });
});
