import { describe, expect, it } from 'vitest';
import { castCsvValue } from './cast-csv-value.js';

describe('castCsvValue', () => {
  it('keeps strings as they are, empty ones included', () => {
    expect(castCsvValue(' a ', 'string')).toEqual({ ok: true, value: ' a ' });
    expect(castCsvValue('', 'string')).toEqual({ ok: true, value: '' });
  });

  it('reads numbers and integers, and an empty cell as null', () => {
    expect(castCsvValue(' 12.5 ', 'number')).toEqual({ ok: true, value: 12.5 });
    expect(castCsvValue('-3', 'integer')).toEqual({ ok: true, value: -3 });
    expect(castCsvValue('', 'integer')).toEqual({ ok: true, value: null });
    expect(castCsvValue('1.5', 'integer')).toEqual({ ok: false, expected: 'an integer' });
    expect(castCsvValue('twelve', 'number')).toEqual({ ok: false, expected: 'a number' });
    expect(castCsvValue('Infinity', 'number').ok).toBe(false);
  });

  it('reads the usual spellings of booleans', () => {
    for (const word of ['true', 'TRUE', 'yes', 'Y', '1', 't']) expect(castCsvValue(word, 'boolean')).toEqual({ ok: true, value: true });
    for (const word of ['false', 'No', 'n', '0', 'F']) expect(castCsvValue(word, 'boolean')).toEqual({ ok: true, value: false });
    expect(castCsvValue('', 'boolean')).toEqual({ ok: true, value: null });
    expect(castCsvValue('maybe', 'boolean').ok).toBe(false);
  });
});
