import { describe, expect, it } from 'vitest';
import { convertOption, convertStep, convertsOf, parseConstant, withConverts, withDefault, withSourcePath } from './map-entry.js';

describe('map entry edits', () => {
  it('keeps the shortest form: a bare path until a convert or default is added', () => {
    expect(withSourcePath(undefined, 'email')).toBe('email');
    const converted = withConverts('email', [convertStep('email')]);
    expect(converted).toEqual({ from: 'email', convert: 'email' });
    expect(withConverts(converted, [convertStep('trim'), convertStep('email')])).toEqual({ from: 'email', convert: ['trim', 'email'] });
    expect(withConverts(converted, [])).toBe('email');
    expect(withDefault('email', 'none@example.com')).toEqual({ from: 'email', default: 'none@example.com' });
  });

  it('re-points a mapping at another field without losing its converts', () => {
    expect(withSourcePath({ from: 'phone', convert: 'phone-e164', default: null }, 'mobile')).toEqual({ from: 'mobile', convert: 'phone-e164', default: null });
    expect(withSourcePath({ const: 1 }, 'mobile')).toBe('mobile');
  });

  it('builds converts with options and reads them back', () => {
    expect(convertStep('phone-e164', 'gb')).toEqual({ phone: { country: 'GB' } });
    expect(convertStep('split', ';')).toEqual({ split: ';' });
    expect(convertStep('join')).toEqual({ join: ', ' });
    expect(convertStep('date', 'date')).toEqual({ date: { format: 'date' } });
    expect(convertOption({ split: ';' })).toBe(';');
    expect(convertsOf({ from: 'a', convert: 'trim' })).toEqual(['trim']);
  });

  it('reads constants as JSON when they are JSON, else as text', () => {
    expect(parseConstant('42')).toBe(42);
    expect(parseConstant('true')).toBe(true);
    expect(parseConstant('["a"]')).toEqual(['a']);
    expect(parseConstant('"42"')).toBe('42');
    expect(parseConstant('Salesmsg')).toBe('Salesmsg');
  });
});
