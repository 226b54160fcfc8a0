import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../errors/ferry-error.js';
import { ferryErrorOf } from '../../testing/ferry-error-of.js';
import { compileWhere } from './compile-where.js';

describe('compileWhere', () => {
  it('runs the common subset synchronously', () => {
    const where = compileWhere("'customer' in tags.label and $exists(email)");
    expect(where.isAsync).toBe(false);
    expect(where.test({ tags: [{ label: 'customer' }], email: 'a@b.co' })).toBe(true);
    expect(where.test({ tags: [{ label: 'lead' }], email: 'a@b.co' })).toBe(false);
    expect(where.test({ tags: [{ label: 'customer' }] })).toBe(false);
  });

  it('accepts not(x) as $not(x)', () => {
    const where = compileWhere('not(status = "archived")');
    expect(where.isAsync).toBe(false);
    expect(where.test({ status: 'archived' })).toBe(false);
    expect(where.test({ status: 'open' })).toBe(true);
    // Nothing to judge: $not of no value is no value, and no value fails the filter.
    expect(compileWhere('not(missing)').test({})).toBe(false);
  });

  it('reads $source and the vars the engine passes', () => {
    const where = compileWhere('$source.amount > $params.minimum and $result.id = id');
    expect(where.isAsync).toBe(false);
    expect(where.test({ amount: 10, id: 'c1' }, { params: { minimum: 5 }, result: { id: 'c1' } })).toBe(true);
    expect(where.test({ amount: 10, id: 'c1' }, { params: { minimum: 50 }, result: { id: 'c1' } })).toBe(false);
    expect(where.test({ amount: 10, id: 'c1' })).toBe(false);
  });

  it('falls back to JSONata for the rest, with the same vars', async () => {
    const where = compileWhere('$count(tags[type = "vip"]) >= $params.needed');
    expect(where.isAsync).toBe(true);
    const record = { tags: [{ type: 'vip' }, { type: 'vip' }, { type: 'lead' }] };
    await expect(where.test(record, { params: { needed: 2 } })).resolves.toBe(true);
    await expect(where.test(record, { params: { needed: 3 } })).resolves.toBe(false);
  });

  it('tests non-boolean results the way $boolean does', async () => {
    expect(compileWhere('email').test({ email: 'a@b.co' })).toBe(true);
    expect(compileWhere('email').test({ email: '' })).toBe(false);
    expect(compileWhere('tags').test({ tags: [] })).toBe(false);
    expect(compileWhere('tags').test({ tags: [0, 'x'] })).toBe(true);
    await expect(compileWhere('$string(count)').test({ count: 0 })).resolves.toBe(true);
    await expect(compileWhere('$sum(values)').test({ values: [1, -1] })).resolves.toBe(false);
  });

  it('never lets a function passed as a var be called', async () => {
    let called = false;
    // Calling a var fails at compile time: only JSONata's own functions and local ones are callable…
    expect((await ferryErrorOf(() => compileWhere('$hook() = 1'))).code).toBe('EXPRESSION_INVALID');
    const sneaky = compileWhere('$count([$v]) = 1');
    // …and a function smuggled in as data is dropped from the bindings.
    await expect(sneaky.test({}, { v: () => (called = true) })).resolves.toBe(false);
    expect(called).toBe(false);
  });

  it('fails a record it cannot judge with MAP_FAILED, in both paths', async () => {
    const fast = await ferryErrorOf(() => compileWhere('age > 18').test({ age: 'old' }));
    expect(fast.code).toBe('MAP_FAILED');
    expect(fast.details).toMatchObject({ field: 'where', value: 'old', jsonataCode: 'T2009' });
    const slow = await ferryErrorOf(() => compileWhere('age + 0 > 18').test({ age: 'old' }));
    expect(slow.code).toBe('MAP_FAILED');
    expect(slow.details).toMatchObject({ field: 'where', jsonataCode: 'T2001' });
    expect(slow.hint).toBeTruthy();
  });

  it('fails a record nested too deeply to compare with MAP_FAILED', async () => {
    const deep = (): Record<string, unknown> => {
      let value: Record<string, unknown> = {};
      for (let i = 0; i < 200_000; i++) value = { a: value };
      return value;
    };
    const error = await ferryErrorOf(() => compileWhere('a = b').test({ a: deep(), b: deep() }));
    expect(error.code).toBe('MAP_FAILED');
    expect(error.details['field']).toBe('where');
  });

  it('bounds evaluation time and recursion depth', async () => {
    const loop = compileWhere('($f := function($n) { $f($n + 1) }; $f(0))', { limits: { timeoutMs: 50 } });
    const started = Date.now();
    const timedOut = await ferryErrorOf(() => loop.test({}));
    expect(timedOut.code).toBe('MAP_FAILED');
    expect(timedOut.details['jsonataCode']).toBe('D1012');
    expect(timedOut.message).toContain('longer than 50 ms');
    expect(Date.now() - started).toBeLessThan(2000);

    const deep = compileWhere('($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000) > 0)', { limits: { maxDepth: 200 } });
    const tooDeep = await ferryErrorOf(() => deep.test({}));
    expect(tooDeep.code).toBe('MAP_FAILED');
    expect(tooDeep.details['jsonataCode']).toBe('D1011');
    expect(tooDeep.message).toContain('deeper than 200');

    const big = compileWhere('$count([1..1000000]) > 0', { limits: { maxSequence: 1000 } });
    expect((await ferryErrorOf(() => big.test({}))).code).toBe('MAP_FAILED');
  });

  it('reports syntax errors with JSONata position and token', async () => {
    const error = await ferryErrorOf(() => compileWhere('status = '));
    expect(error.code).toBe('EXPRESSION_INVALID');
    expect(error.details).toMatchObject({ position: 9, token: '(end)' });
    expect(error.details['field']).toBeUndefined();
    expect(error.message).toMatch(/^where: /);
    expect(error.hint).toBeTruthy();
  });

  it('catches unknown functions before the run, with a suggestion', async () => {
    const error = await ferryErrorOf(() => compileWhere('$lowercas(name) = "ada"'));
    expect(error.code).toBe('EXPRESSION_INVALID');
    expect(error.message).toContain("did you mean '$lowercase'?");
    expect(error.details).toMatchObject({ position: 9, token: 'lowercas' });
    // Functions the expression defines itself are known.
    expect(compileWhere('($up := function($s) { $uppercase($s) }; $up(name) = "ADA")').isAsync).toBe(true);
  });

  it('rejects empty and non-text expressions', async () => {
    expect((await ferryErrorOf(() => compileWhere('   '))).code).toBe('EXPRESSION_INVALID');
    expect((await ferryErrorOf(() => compileWhere(42 as unknown as string))).code).toBe('EXPRESSION_INVALID');
  });

  it('throws nothing but EXPRESSION_INVALID at compile time, whatever the text', () => {
    const fragments = fc.constantFrom('a', '.', '$', '(', ')', '[', ']', '{', '}', '"', "'", '`', ' and ', ' or ', ' in ', '=', '<', '>', '!', '~>', '?', ':', ';', ':=', '%', '#', '@', '^(', '/', '*', '**', '..', '|', 'function', '$not', '1', '-', '\\');
    const text = fc.oneof(fc.string(), fc.array(fragments, { maxLength: 12 }).map((parts) => parts.join('')));
    fc.assert(
      fc.property(text, (expression) => {
        try {
          compileWhere(expression);
        } catch (error) {
          expect(isFerryError(error) && error.code === 'EXPRESSION_INVALID').toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('fails only with MAP_FAILED on any record', async () => {
    const wheres = ['a.b > 1', "'x' in tags.label", '$contains(name, "x")', 'a = b', '$count(a) > 1', '$substring(name, 1) = "a"', 'a.b.c'].map((text) => compileWhere(text));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('a', 'b', 'name', 'tags'), fc.jsonValue({ maxDepth: 3 })), async (record) => {
        for (const where of wheres) {
          try {
            expect(typeof (await where.test(record))).toBe('boolean');
          } catch (error) {
            expect(isFerryError(error) && error.code === 'MAP_FAILED').toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
