import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonRecord } from '../contract/json-schema.js';
import type { FieldMapSpec } from '../contract/pipeline.js';
import { isFerryError } from '../errors/ferry-error.js';
import { ferryErrorOf } from '../testing/ferry-error-of.js';
import { compileFieldMap } from './compile-field-map.js';

const contact: JsonRecord = {
  first_name: 'Ada',
  last_name: 'Lovelace',
  number: '(213) 373-4253',
  email: ' Ada@Example.COM ',
  tags: [{ label: 'customer' }, { label: 'vip' }],
  address: { city: 'London' },
  blank: '',
  nothing: null,
};

describe('compileFieldMap', () => {
  it('maps the seed pipeline synchronously when no entry needs JSONata', () => {
    const map = compileFieldMap({
      firstName: 'first_name',
      phone: { from: 'number', convert: 'phone-e164' },
      email: { from: 'email', convert: 'email' },
      source: { const: 'Salesmsg' },
      city: 'address.city',
      tags: 'tags[].label',
    });
    expect(map.isAsync).toBe(false);
    const out = map.apply(contact);
    expect(out).not.toBeInstanceOf(Promise);
    expect(out).toEqual({
      firstName: 'Ada',
      phone: '+12133734253',
      email: 'ada@example.com',
      source: 'Salesmsg',
      city: 'London',
      tags: ['customer', 'vip'],
    });
    expect(map.targetFields).toEqual(['firstName', 'phone', 'email', 'source', 'city', 'tags']);
    expect(map.sourcePaths.map(({ field, path }) => ({ field, path }))).toEqual([
      { field: 'firstName', path: 'first_name' },
      { field: 'phone', path: 'number' },
      { field: 'email', path: 'email' },
      { field: 'city', path: 'address.city' },
      { field: 'tags', path: 'tags[].label' },
    ]);
    expect(map.sourcePaths[4]?.segments).toEqual([{ kind: 'key', key: 'tags' }, { kind: 'each' }, { kind: 'key', key: 'label' }]);
  });

  it('leaves out missing values, or writes the default', () => {
    const map = compileFieldMap({
      a: 'absent',
      b: 'blank',
      c: 'nothing',
      d: { from: 'absent', default: 'fallback' },
      e: { from: 'blank', default: 0 },
      f: { from: 'nothing', default: null },
      g: { from: 'blank', convert: 'phone-e164', default: 'none' },
      h: { from: 'absent', default: { nested: [1] } },
    });
    const out = map.apply({ blank: '', nothing: null });
    expect(out).toEqual({ d: 'fallback', e: 0, f: null, g: 'none', h: { nested: [1] } });
    expect(Object.hasOwn(out, 'a')).toBe(false);
  });

  it('gives the default when a convert leaves nothing', () => {
    const map = compileFieldMap({ name: { from: 'name', convert: 'trim', default: 'Unknown' } });
    expect(map.apply({ name: '   ' })).toEqual({ name: 'Unknown' });
    expect(map.apply({ name: ' Ada ' })).toEqual({ name: 'Ada' });
  });

  it('builds nested output from dotted target names', () => {
    const map = compileFieldMap({
      'dndSettings.SMS.status': { const: 'active' },
      'dndSettings.SMS.message': { from: 'absent' },
      'dndSettings.Email.status': { const: 'inactive' },
      '"utm.source"': { const: 'ads' },
      'address.city': 'address.city',
      'other.deep': { from: 'absent' },
    });
    expect(map.apply(contact)).toEqual({
      dndSettings: { SMS: { status: 'active' }, Email: { status: 'inactive' } },
      'utm.source': 'ads',
      address: { city: 'London' },
    });
  });

  it('gives each record its own copy of object constants and defaults', () => {
    const map = compileFieldMap({ meta: { const: { tags: ['a'] } }, extra: { from: 'x', default: { n: 1 } } });
    const first = map.apply({}) as { meta: { tags: string[] }; extra: { n: number } };
    first.meta.tags.push('changed');
    first.extra.n = 2;
    expect(map.apply({})).toEqual({ meta: { tags: ['a'] }, extra: { n: 1 } });
  });

  it('evaluates expressions with $source and the vars, and returns plain JSON', async () => {
    const map = compileFieldMap({
      fullName: { expr: "first_name & ' ' & last_name" },
      contactId: { expr: '$result.id' },
      owner: { expr: '$params.owner' },
      labels: { expr: 'tags.label' },
      one: { expr: '$source.tags[0].label' },
      shaped: { expr: '{ "city": address.city, "labels": tags.label }' },
      none: { expr: 'missing', default: 'n/a' },
      firstName: 'first_name',
    });
    expect(map.isAsync).toBe(true);
    const out = await map.apply(contact, { result: { id: 'c-1' }, params: { owner: 'u-9' } });
    expect(out).toEqual({
      fullName: 'Ada Lovelace',
      contactId: 'c-1',
      owner: 'u-9',
      labels: ['customer', 'vip'],
      one: 'customer',
      shaped: { city: 'London', labels: ['customer', 'vip'] },
      none: 'n/a',
      firstName: 'Ada',
    });
    // JSONata's sequences carry flags; the output holds plain arrays only.
    expect(Object.keys(out['labels'] as object)).toEqual(['0', '1']);
    expect(Object.keys((out['shaped'] as { labels: object }).labels)).toEqual(['0', '1']);
    // Fields come out in the order the map lists them.
    expect(Object.keys(out)).toEqual(['fullName', 'contactId', 'owner', 'labels', 'one', 'shaped', 'none', 'firstName']);
  });

  it('fails a record with MAP_FAILED naming the field and the value', async () => {
    const map = compileFieldMap({ first: 'first_name', phone: { from: 'number', convert: 'phone-e164' } });
    const error = await ferryErrorOf(() => map.apply({ first_name: 'Ada', number: 'call me maybe' }));
    expect(error.code).toBe('MAP_FAILED');
    expect(error.details).toMatchObject({ field: 'phone', value: 'call me maybe', reason: 'not a phone number (read in US)' });
    expect(error.message).toBe("field 'phone': not a phone number (read in US) (value: call me maybe)");
    expect(error.hint).toBeTruthy();
  });

  it('cuts long values in errors to 80 characters', async () => {
    const map = compileFieldMap({ n: { from: 'n', convert: 'number' } });
    const error = await ferryErrorOf(() => map.apply({ n: 'x'.repeat(500) }));
    expect((error.details['value'] as string).length).toBe(80);
    const objectError = await ferryErrorOf(() => map.apply({ n: { deep: 'y'.repeat(500) } }));
    expect((objectError.details['value'] as string).length).toBe(80);
  });

  it('turns expression failures into MAP_FAILED with the JSONata position', async () => {
    const map = compileFieldMap({ total: { expr: 'price * quantity' } });
    const error = await ferryErrorOf(() => map.apply({ price: 'free', quantity: 2 }));
    expect(error.code).toBe('MAP_FAILED');
    expect(error.details).toMatchObject({ field: 'total', jsonataCode: 'T2001', position: 7 });
    const lambda = compileFieldMap({ f: { expr: 'function($x) { $x }' } });
    expect((await ferryErrorOf(() => lambda.apply({}))).details).toMatchObject({ field: 'f', reason: 'the expression gave a function, not a value' });
  });

  it('bounds expression time, depth and sequence length', async () => {
    const limits = { timeoutMs: 50, maxDepth: 100, maxSequence: 500 };
    const loop = compileFieldMap({ x: { expr: '($f := function($n) { $f($n + 1) }; $f(0))' } }, { limits });
    expect((await ferryErrorOf(() => loop.apply({}))).message).toContain('longer than 50 ms');
    const deep = compileFieldMap({ x: { expr: '($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(10000))' } }, { limits });
    expect((await ferryErrorOf(() => deep.apply({}))).message).toContain('deeper than 100 levels');
    const big = compileFieldMap({ x: { expr: '[1..100000]' } }, { limits });
    expect((await ferryErrorOf(() => big.apply({}))).details['jsonataCode']).toMatch(/^D201[45]$/);
    const nested = compileFieldMap({ x: { expr: '$eval("($g := function($n) { $g($n) }; $g(1))")' } }, { limits });
    expect((await ferryErrorOf(() => nested.apply({}))).code).toBe('MAP_FAILED');
  });

  it('fails a record nested too deeply to serialise with MAP_FAILED', async () => {
    let value: Record<string, unknown> = {};
    for (let i = 0; i < 200_000; i++) value = { a: value };
    const error = await ferryErrorOf(() => compileFieldMap({ text: { from: 'deep', convert: 'string' } }).apply({ deep: value }));
    expect(error.code).toBe('MAP_FAILED');
    expect(error.details['field']).toBe('text');
  });

  it('uses the run default country for phone numbers', () => {
    const map = compileFieldMap({ phone: { from: 'p', convert: 'phone-e164' } }, { defaultCountry: 'GB' });
    expect(map.apply({ p: '020 7946 0958' })).toEqual({ phone: '+442079460958' });
  });

  it('rejects entries it cannot compile, naming the target field', async () => {
    const cases: [FieldMapSpec, string, RegExp][] = [
      [{ a: { form: 'x' } as never }, 'a', /unknown key 'form' — did you mean 'from'\?/],
      [{ a: { from: 'x', const: 1 } }, 'a', /one of from, const or expr/],
      [{ a: { const: 1, default: 2 } }, 'a', /'default' does not go with 'const'/],
      [{ a: { expr: 'x', convert: 'trim' } }, 'a', /'convert' does not go with 'expr'/],
      [{ a: {} as never }, 'a', /neither from, const nor expr/],
      [{ a: 42 as never }, 'a', /got number/],
      [{ a: null as never }, 'a', /got null/],
      [{ a: ['x'] as never }, 'a', /got a list/],
      [{ a: { from: 5 } as never }, 'a', /'from' must be a source path/],
      [{ a: { const: undefined } }, 'a', /const must be a JSON value/],
      [{ a: { from: 'x', default: Number.NaN } }, 'a', /default must be a JSON value/],
      [{ a: { from: 'x', convert: 'phone-e16' } }, 'a', /did you mean 'phone-e164'\?/],
      [{ a: 'x..y' }, 'a', /empty key/],
      [{ 'a.b': 'x', a: 'y' }, 'a.b', /nested under 'a'/],
      [{ 'a.b': 'x', 'a["b"]': 'y' }, 'a["b"]', /name the same target field/],
      [{ 'tags[0]': 'x' }, 'tags[0]', /list positions/],
      [{ '__proto__.polluted': { const: true } }, '__proto__.polluted', /prototype/],
      [{ 'a.constructor': 'x' }, 'a.constructor', /prototype/],
      [{ a: 'constructor.prototype' }, 'a', /prototype/],
    ];
    for (const [spec, field, message] of cases) {
      const error = await ferryErrorOf(() => compileFieldMap(spec));
      expect(error.code, JSON.stringify(spec)).toBe('FIELDMAP_INVALID');
      expect(error.details['field']).toBe(field);
      expect(error.details['reason']).toBeTruthy();
      expect(error.message).toMatch(message);
      expect(error.hint).toBeTruthy();
    }
    expect((await ferryErrorOf(() => compileFieldMap(null as never))).code).toBe('FIELDMAP_INVALID');
    expect((await ferryErrorOf(() => compileFieldMap({ p: { from: 'p', convert: 'phone-e164' } }, { defaultCountry: 'ZZ' }))).details['field']).toBe('p');
  });

  it('rejects bad expressions with EXPRESSION_INVALID and JSONata position', async () => {
    const error = await ferryErrorOf(() => compileFieldMap({ full: { expr: 'first_name & ' } }));
    expect(error.code).toBe('EXPRESSION_INVALID');
    expect(error.details).toMatchObject({ field: 'full', position: 13, token: '(end)' });
    const typo = await ferryErrorOf(() => compileFieldMap({ full: { expr: '$uppercas(name)' } }));
    expect(typo.details).toMatchObject({ field: 'full', token: 'uppercas' });
    expect(typo.message).toContain("did you mean '$uppercase'?");
  });

  it('neither reads nor writes through the prototype', async () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "name": "x"}') as JsonRecord;
    const map = compileFieldMap({
      name: 'name',
      inherited: 'toString',
      proto: { expr: '$source' },
      built: { expr: '{ "__proto__": { "polluted": true }, "ok": 1 }' },
    });
    const out = await map.apply(hostile);
    expect(out['inherited']).toBeUndefined();
    expect(Object.hasOwn(out['proto'] as object, '__proto__')).toBe(false);
    expect(out['built']).toEqual({ ok: 1 });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(out['built'])).toBe(Object.prototype);
  });

  it('reports an expression that is an object with odd keys as EXPRESSION_INVALID', () => {
    for (const expr of [{ toString: 0 }, { valueOf: 'x', toString: null }, Object.create(null) as object, ['a']]) {
      let caught: unknown;
      try {
        compileFieldMap({ '#': { expr } } as unknown as FieldMapSpec);
      } catch (error) {
        caught = error;
      }
      expect(isFerryError(caught) && caught.code).toBe('EXPRESSION_INVALID');
    }
  });

  it('compiles arbitrary specs or throws only FIELDMAP_INVALID / EXPRESSION_INVALID', () => {
    const convert = fc.oneof(
      fc.constantFrom('phone-e164', 'lowercase', 'trim', 'date', 'split', 'join', 'bogus', 'email'),
      fc.record({ phone: fc.anything() }),
      fc.record({ date: fc.oneof(fc.anything(), fc.record({ tz: fc.string(), format: fc.string(), inputFormat: fc.string() }, { requiredKeys: [] })) }),
      fc.record({ split: fc.anything() }),
      fc.anything(),
    );
    const entry = fc.oneof(
      fc.string(),
      fc.record({ from: fc.oneof(fc.string(), fc.anything()), convert: fc.oneof(convert, fc.array(convert, { maxLength: 3 })), default: fc.anything() }, { requiredKeys: ['from'] }),
      fc.record({ const: fc.anything() }),
      fc.record({ expr: fc.oneof(fc.string(), fc.anything()), default: fc.anything() }, { requiredKeys: ['expr'] }),
      fc.anything(),
    );
    const spec = fc.oneof(fc.dictionary(fc.string(), entry, { maxKeys: 5 }), fc.anything());
    fc.assert(
      fc.property(spec, fc.option(fc.string({ maxLength: 3 }), { nil: undefined }), (candidate, country) => {
        try {
          compileFieldMap(candidate as FieldMapSpec, country === undefined ? {} : { defaultCountry: country });
        } catch (error) {
          expect(isFerryError(error) && (error.code === 'FIELDMAP_INVALID' || error.code === 'EXPRESSION_INVALID')).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('maps arbitrary records or throws only MAP_FAILED', async () => {
    const map = compileFieldMap({
      name: { from: 'name', convert: ['trim', 'lowercase'] },
      phone: { from: 'phone', convert: 'phone-e164' },
      email: { from: 'email', convert: 'email' },
      n: { from: 'n', convert: 'integer', default: 0 },
      yes: { from: 'yes', convert: 'boolean' },
      when: { from: 'when', convert: { date: { tz: 'Europe/Berlin', format: 'date' } } },
      parts: { from: 'name', convert: [{ split: ' ' }, { join: '-' }] },
      text: { from: 'tags', convert: 'string' },
      labels: 'tags[].label',
      first: 'tags[0]',
      'nested.value': 'deep.a.b',
      sum: { expr: '$sum(tags.n) + n' },
      echo: { expr: '$source' },
    });
    const value = fc.jsonValue({ maxDepth: 3 });
    const record = fc.dictionary(fc.constantFrom('name', 'phone', 'email', 'n', 'yes', 'when', 'tags', 'deep', 'other'), value, { maxKeys: 6 });
    await fc.assert(
      fc.asyncProperty(record, async (input) => {
        try {
          const out = await map.apply(input);
          expect(typeof out).toBe('object');
        } catch (error) {
          expect(isFerryError(error) && error.code === 'MAP_FAILED').toBe(true);
          if (isFerryError(error)) expect(map.targetFields).toContain(error.details['field']);
        }
      }),
      { numRuns: 500 },
    );
  });
});
