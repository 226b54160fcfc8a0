import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../errors/ferry-error.js';
import { ConvertFailure } from '../fieldmap-errors.js';
import { compileConvert } from './compile-convert.js';

const phone = (spec: unknown, value: unknown, defaultCountry?: string): unknown => compileConvert(spec, { field: 'phone', defaultCountry })(value);

describe('phone-e164', () => {
  it('writes numbers as people type them in E.164, reading them in the US by default', () => {
    expect(phone('phone-e164', '(213) 373-4253')).toBe('+12133734253');
    expect(phone('phone-e164', '213.373.4253')).toBe('+12133734253');
    expect(phone('phone-e164', '+44 20 7946 0958')).toBe('+442079460958');
    expect(phone('phone-e164', 2133734253)).toBe('+12133734253');
    expect(phone('phone-e164', ['213-373-4253', null])).toEqual(['+12133734253']);
  });

  it('reads national numbers in the entry country, else the run default country', () => {
    expect(phone({ phone: { country: 'GB' } }, '020 7946 0958')).toBe('+442079460958');
    expect(phone({ phone: { country: 'gb' } }, '020 7946 0958')).toBe('+442079460958');
    expect(phone('phone-e164', '030 901820', 'DE')).toBe('+4930901820');
    // An entry's own country wins over the default.
    expect(phone({ phone: { country: 'GB' } }, '020 7946 0958', 'DE')).toBe('+442079460958');
  });

  it('fails numbers that are not valid', () => {
    for (const bad of ['abc', '12', '+1 555 555 5555', '020 7946 0958', '', 0, -5, 1.5, true, {}]) {
      expect(() => phone('phone-e164', bad), JSON.stringify(bad)).toThrow(ConvertFailure);
    }
    try {
      phone('phone-e164', 'call me');
    } catch (error) {
      expect(error).toBeInstanceOf(ConvertFailure);
      expect((error as ConvertFailure).reason).toBe('not a phone number (read in US)');
    }
  });

  it('rejects unknown countries and options at compile time', () => {
    for (const [spec, country] of [
      [{ phone: { country: 'XX' } }, undefined],
      [{ phone: { country: 1 } }, undefined],
      [{ phone: { region: 'GB' } }, undefined],
      [{ phone: 'GB' }, undefined],
      ['phone-e164', 'Narnia'],
    ] as const) {
      try {
        phone(spec, '1', country);
        expect.fail(JSON.stringify(spec));
      } catch (error) {
        expect(isFerryError(error) && error.code === 'FIELDMAP_INVALID').toBe(true);
      }
    }
  });
});
