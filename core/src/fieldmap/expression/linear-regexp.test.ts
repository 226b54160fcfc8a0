import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../errors/ferry-error.js';
import { compileFieldMap } from '../compile-field-map.js';
import { compileWhere } from '../where/compile-where.js';
import { LinearRegExp } from './linear-regexp.js';

/** Every match a global regex yields, the way JSONata walks them (lastIndex carried over). */
function allMatches(regex: { lastIndex: number; exec(text: string): (string | undefined)[] | null }, text: string): unknown[] {
  const found: unknown[] = [];
  regex.lastIndex = 0;
  for (let guard = 0; guard < 50; guard++) {
    const match = regex.exec(text) as (RegExpExecArray | null);
    if (match === null) break;
    found.push([...match, match.index, regex.lastIndex]);
    if (match[0] === '') regex.lastIndex += 1;
  }
  return found;
}

describe('LinearRegExp', () => {
  it('matches like a global RegExp on patterns both engines understand', () => {
    const patterns = ['a+', '(a)(b)?', '[a-c]+x', '^ab', 'b$', '\\d{2,3}', '(?:ab|c)+', 'x*', '\\w+@\\w+\\.com', '(A)|(b)'];
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', 'A', '1', '2', '@', '.', 'o', 'm', '\n'), maxLength: 16 });
    fc.assert(
      fc.property(fc.constantFrom(...patterns), fc.constantFrom('g', 'gi', 'gm'), text, (source, flags, input) => {
        expect(allMatches(new LinearRegExp(new RegExp(source, flags)), input)).toEqual(allMatches(new RegExp(source, flags), input));
      }),
      { numRuns: 1000 },
    );
  });

  it('runs JSONata string functions', async () => {
    const map = compileFieldMap({
      digits: { expr: '$replace(phone, /[^0-9]/, "")' },
      parts: { expr: '$split(name, /\\s+/)' },
      domain: { expr: '$match(email, /@(\\w+)\\.(\\w+)/).groups[0]' },
      caps: { expr: '$contains(name, /LOVE/i)' },
    });
    expect(await map.apply({ phone: '(213) 373-4253', name: 'Ada  Lovelace', email: 'ada@example.com' })).toEqual({
      digits: '2133734253',
      parts: ['Ada', 'Lovelace'],
      domain: 'example',
      caps: true,
    });
  });

  it('takes linear time on patterns that make backtracking engines explode', async () => {
    const where = compileWhere('$contains(value, /^(a+)+$/)', { limits: { timeoutMs: 2000 } });
    const started = Date.now();
    await expect(where.test({ value: `${'a'.repeat(5000)}!` })).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('refuses lookaround and backreferences when compiling', () => {
    for (const expression of ['$contains(a, /(?=x)y/)', '$match(a, /(a)\\1/)']) {
      try {
        compileWhere(expression);
        expect.fail(expression);
      } catch (error) {
        expect(isFerryError(error) && error.code === 'EXPRESSION_INVALID').toBe(true);
        expect((error as Error).message).toContain('linear time');
      }
    }
  });

  it('fails the record when $eval builds such a pattern at run time', async () => {
    const map = compileFieldMap({ x: { expr: '$eval("$contains(\\"ab\\", /(?=a)/)")' } });
    await expect(map.apply({})).rejects.toMatchObject({ code: 'MAP_FAILED' });
  });
});
