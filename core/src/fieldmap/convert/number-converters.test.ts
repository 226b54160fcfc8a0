import { describe, expect, it } from 'vitest';
import { ConvertFailure } from '../fieldmap-errors.js';
import { compileConvert } from './compile-convert.js';

const convert = (spec: unknown, value: unknown): unknown => compileConvert(spec, { field: 'f', defaultCountry: undefined })(value);

function fails(spec: unknown, value: unknown): void {
  expect(() => convert(spec, value), `${JSON.stringify(spec)} ${JSON.stringify(value)}`).toThrow(ConvertFailure);
}

describe('number', () => {
  it('reads plain decimal notation', () => {
    expect(convert('number', '42')).toBe(42);
    expect(convert('number', ' -1.5 ')).toBe(-1.5);
    expect(convert('number', '.5')).toBe(0.5);
    expect(convert('number', '1e3')).toBe(1000);
    expect(convert('number', 7)).toBe(7);
    expect(convert('number', ['1', '2'])).toEqual([1, 2]);
  });

  it('refuses what it would have to guess at', () => {
    for (const bad of ['0x1f', '1,234.5', '1_000', 'Infinity', 'abc', '12abc', '1e999', true, {}, Number.POSITIVE_INFINITY]) fails('number', bad);
  });
});

describe('integer', () => {
  it('takes whole numbers only', () => {
    expect(convert('integer', '42.0')).toBe(42);
    expect(convert('integer', -3)).toBe(-3);
    fails('integer', '42.5');
    fails('integer', 2 ** 60);
  });
});

describe('boolean', () => {
  it('reads yes/no words in any case, and 1/0', () => {
    for (const yes of ['true', 'YES', ' y ', '1', 'On', 1, true]) expect(convert('boolean', yes)).toBe(true);
    for (const no of ['false', 'No', 'n', '0', 'OFF', 0, false]) expect(convert('boolean', no)).toBe(false);
  });

  it('refuses anything else', () => {
    for (const bad of ['maybe', '2', 2, {}, 'truee', ['yes', 'perhaps']]) fails('boolean', bad);
  });
});
