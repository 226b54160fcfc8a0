import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isPhoneCountry, toE164 } from './phone.js';

describe('toE164', () => {
  it.each([
    ['(213) 373-4253', undefined, '+12133734253'],
    ['213.373.4253', 'US', '+12133734253'],
    ['+44 20 7946 0958', undefined, '+442079460958'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['020 7946 0958', 'gb', '+442079460958'],
    ['0044 20 7946 0958', 'GB', '+442079460958'],
    [2133734253, undefined, '+12133734253'],
  ] as const)('reads %j (country %s) as %s', (input, country, expected) => {
    expect(toE164(input, country)).toBe(expected);
  });

  it.each([
    ['', 'US'],
    ['   ', 'US'],
    ['not a phone', 'US'],
    ['+1 555 555 5555', 'US'],
    ['12', 'US'],
    ['(213) 373-4253', 'XX'],
    [-2133734253, 'US'],
    [21.5, 'US'],
    [null, 'US'],
    [{ phone: '2133734253' }, 'US'],
  ] as const)('refuses %j (country %s)', (input, country) => {
    expect(toE164(input, country)).toBeUndefined();
  });

  it('is idempotent: an E.164 answer reads back as itself in any country', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[2-9]\d{2}[2-9]\d{6}$/), fc.constantFrom('US', 'GB', 'DE', 'CA'), (digits, country) => {
        const first = toE164(digits, 'US');
        if (first !== undefined) expect(toE164(first, country)).toBe(first);
      }),
    );
  });
});

describe('isPhoneCountry', () => {
  it('knows ISO country codes in either case and nothing else', () => {
    expect(isPhoneCountry('US')).toBe(true);
    expect(isPhoneCountry('de')).toBe(true);
    expect(isPhoneCountry('XX')).toBe(false);
    expect(isPhoneCountry('')).toBe(false);
  });
});
