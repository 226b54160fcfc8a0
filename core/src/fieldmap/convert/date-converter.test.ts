import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../errors/ferry-error.js';
import { ConvertFailure } from '../fieldmap-errors.js';
import { compileConvert } from './compile-convert.js';

const date = (spec: unknown, value: unknown): unknown => compileConvert(spec, { field: 'when', defaultCountry: undefined })(value);

describe('date', () => {
  it('reads ISO 8601, with or without an offset', () => {
    expect(date('date', '2024-03-05T14:30:00Z')).toBe('2024-03-05T14:30:00.000Z');
    expect(date('date', '2024-03-05T16:30:00+02:00')).toBe('2024-03-05T14:30:00.000Z');
    expect(date('date', '2024-03-05')).toBe('2024-03-05T00:00:00.000Z');
    expect(date('date', '2024-03-05 14:30:00')).toBe('2024-03-05T14:30:00.000Z');
  });

  it('reads epoch seconds and milliseconds, as numbers or text', () => {
    expect(date('date', 1709649000)).toBe('2024-03-05T14:30:00.000Z');
    expect(date('date', 1709649000123)).toBe('2024-03-05T14:30:00.123Z');
    expect(date('date', '1709649000')).toBe('2024-03-05T14:30:00.000Z');
    expect(date({ date: { inputFormat: 'epoch-ms' } }, 0)).toBe('1970-01-01T00:00:00.000Z');
    expect(date({ date: { inputFormat: 'epoch-s' } }, '86400')).toBe('1970-01-02T00:00:00.000Z');
  });

  it('reads wall-clock time in a time zone, across daylight saving', () => {
    expect(date({ date: { tz: 'America/New_York' } }, '2024-01-15 09:00:00')).toBe('2024-01-15T14:00:00.000Z');
    expect(date({ date: { tz: 'America/New_York' } }, '2024-07-15 09:00:00')).toBe('2024-07-15T13:00:00.000Z');
    // An explicit offset wins over the zone.
    expect(date({ date: { tz: 'America/New_York' } }, '2024-07-15T09:00:00Z')).toBe('2024-07-15T09:00:00.000Z');
  });

  it('writes a date, epochs or a pattern, in the zone', () => {
    expect(date({ date: { format: 'date' } }, '2024-03-05T23:30:00Z')).toBe('2024-03-05');
    expect(date({ date: { format: 'date', tz: 'Asia/Tokyo' } }, '2024-03-05T23:30:00Z')).toBe('2024-03-06');
    expect(date({ date: { format: 'epoch-ms' } }, '2024-03-05T14:30:00.5Z')).toBe(1709649000500);
    expect(date({ date: { format: 'epoch-s' } }, '2024-03-05T14:30:00.5Z')).toBe(1709649000);
    expect(date({ date: { format: 'DD/MM/YYYY HH:mm' } }, '2024-03-05T14:30:00Z')).toBe('05/03/2024 14:30');
    expect(date({ date: { format: 'YYYY-MM-DD[T]HH:mm:ssZ', tz: 'Europe/Berlin' } }, '2024-03-05T14:30:00Z')).toBe('2024-03-05T15:30:00+01:00');
    expect(date({ date: { format: 'MMM D, YYYY h:mm A' } }, '2024-03-05T14:30:00Z')).toBe('Mar 5, 2024 2:30 PM');
  });

  it('reads the layout given as inputFormat', () => {
    expect(date({ date: { inputFormat: 'MM/DD/YYYY' } }, '03/05/2024')).toBe('2024-03-05T00:00:00.000Z');
    expect(date({ date: { inputFormat: 'DD.MM.YYYY HH:mm', tz: 'Europe/Berlin' } }, '05.03.2024 15:30')).toBe('2024-03-05T14:30:00.000Z');
    expect(date({ date: { inputFormat: 'iso' } }, '2024-03-05')).toBe('2024-03-05T00:00:00.000Z');
  });

  it('fails values that are not dates', () => {
    for (const bad of ['yesterday', '2024-02-30', '2024-13-01', '', true, {}, ['2024-03-05', 'later']]) {
      expect(() => date('date', bad), JSON.stringify(bad)).toThrow(ConvertFailure);
    }
    expect(() => date({ date: { inputFormat: 'MM/DD/YYYY' } }, '2024-03-05')).toThrow(ConvertFailure);
    expect(() => date({ date: { inputFormat: 'iso' } }, '2024-03-05 10:00:00')).toThrow(ConvertFailure);
    expect(() => date({ date: { inputFormat: 'epoch-ms' } }, 'soon')).toThrow(ConvertFailure);
    expect(() => date('date', 1e20)).toThrow(ConvertFailure);
  });

  it('rejects bad options at compile time, with suggestions', () => {
    const cases: [unknown, RegExp][] = [
      [{ date: { tz: 'Mars/Olympus' } }, /not an IANA time zone/],
      [{ date: { format: 'epoch_ms' } }, /did you mean 'epoch-ms'\?/],
      [{ date: { format: 'whenever' } }, /neither one of/],
      [{ date: { inputformat: 'iso' } }, /did you mean 'inputFormat'\?/],
      [{ date: { format: 5 } }, /must be text/],
      [{ date: 'iso' }, /takes \{ date/],
    ];
    for (const [spec, message] of cases) {
      try {
        date(spec, '2024-03-05');
        expect.fail(JSON.stringify(spec));
      } catch (error) {
        expect(isFerryError(error) && error.code === 'FIELDMAP_INVALID').toBe(true);
        expect((error as Error).message).toMatch(message);
      }
    }
  });
});
