import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../errors/ferry-error.js';
import { ConvertFailure } from '../fieldmap-errors.js';
import { compileConvert } from './compile-convert.js';

const convert = (spec: unknown, value: unknown): unknown => compileConvert(spec, { field: 'f', defaultCountry: undefined })(value);

function failsWith(spec: unknown, value: unknown, reason: RegExp): void {
  try {
    convert(spec, value);
    expect.fail(`${JSON.stringify(spec)} accepted ${JSON.stringify(value)}`);
  } catch (error) {
    expect(error).toBeInstanceOf(ConvertFailure);
    if (error instanceof ConvertFailure) {
      expect(error.reason).toMatch(reason);
      expect(error.hint).toBeTruthy();
    }
  }
}

describe('text converts', () => {
  it('change case and trim text, numbers and booleans', () => {
    expect(convert('lowercase', 'AdA')).toBe('ada');
    expect(convert('uppercase', 'gb')).toBe('GB');
    expect(convert('trim', '  x \n')).toBe('x');
    expect(convert('lowercase', 42)).toBe('42');
    expect(convert('uppercase', true)).toBe('TRUE');
    failsWith('lowercase', { a: 1 }, /needs text, got an object/);
    failsWith('trim', Number.NaN, /non-finite/);
  });

  it('map element-wise over lists, leaving out missing elements', () => {
    expect(convert('lowercase', ['A', null, '', 'B'])).toEqual(['a', 'b']);
    expect(convert(['trim', 'uppercase'], [' a ', 'b'])).toEqual(['A', 'B']);
  });

  it('string writes scalars as text and objects as JSON', () => {
    expect(convert('string', 1.5)).toBe('1.5');
    expect(convert('string', false)).toBe('false');
    expect(convert('string', { b: 1, a: [1] })).toBe('{"a":[1],"b":1}');
    expect(convert('string', [1, 2])).toEqual(['1', '2']);
  });

  it('email trims, lower-cases and checks the shape', () => {
    expect(convert('email', '  Ada.Lovelace+crm@Example.CO.uk ')).toBe('ada.lovelace+crm@example.co.uk');
    for (const bad of ['ada', 'ada@', '@example.com', 'ada@example', 'ada lovelace@example.com', 'a@b..com', 'a@@b.com']) {
      failsWith('email', bad, /not an e-mail address/);
    }
    failsWith('email', 5, /not an e-mail address/);
  });

  it('split text into trimmed parts and flattens lists', () => {
    expect(convert('split', 'a, b ,, c')).toEqual(['a', 'b', 'c']);
    expect(convert({ split: '|' }, 'x|y')).toEqual(['x', 'y']);
    expect(convert({ split: ';' }, ['a;b', null, 'c'])).toEqual(['a', 'b', 'c']);
    expect(convert('split', '   ')).toEqual([]);
  });

  it('join lists into text, leaving out missing members', () => {
    expect(convert('join', ['a', null, 'b', ''])).toBe('a, b');
    expect(convert({ join: '-' }, [1, true])).toBe('1-true');
    expect(convert('join', 'solo')).toBe('solo');
    failsWith('join', [{ a: 1 }], /needs text/);
  });

  it('stops a chain at a missing value, so the field can take its default', () => {
    // `trim` leaves '', which phone-e164 would otherwise refuse.
    expect(convert(['trim', 'phone-e164'], '   ')).toBe('');
  });

  it('rejects unknown names and misused options at compile time', () => {
    const cases: [unknown, RegExp][] = [
      ['lowercse', /unknown convert 'lowercse' — did you mean 'lowercase'\?/],
      [{ lowercase: {} }, /takes no options/],
      [{ split: '' }, /non-empty separator/],
      [{ join: 5 }, /separator/],
      [{ split: ',', join: ',' }, /exactly one key/],
      [[], /empty list/],
      [42, /a convert is a name/],
      [null, /a convert is a name/],
      [['trim', 'nope'], /unknown convert 'nope'/],
    ];
    for (const [spec, message] of cases) {
      try {
        convert(spec, 'x');
        expect.fail(`accepted ${JSON.stringify(spec)}`);
      } catch (error) {
        expect(isFerryError(error) && error.code === 'FIELDMAP_INVALID').toBe(true);
        expect((error as Error).message).toMatch(message);
      }
    }
  });
});
