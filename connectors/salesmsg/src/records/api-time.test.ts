import { describe, expect, it } from 'vitest';
import { apiTimeMs, isoTime } from './api-time.js';

describe('apiTimeMs', () => {
  it('reads the API timestamp forms as UTC', () => {
    const at = Date.UTC(2024, 2, 5, 14, 7, 11);
    expect(apiTimeMs('2024-03-05T14:07:11.000000Z')).toBe(at);
    expect(apiTimeMs('2024-03-05 14:07:11')).toBe(at);
    expect(apiTimeMs('2024-03-05T14:07:11Z')).toBe(at);
    expect(apiTimeMs('2024-03-05T16:07:11+02:00')).toBe(at);
    expect(apiTimeMs('2024-03-05T14:07:11.123456Z')).toBe(at + 123);
    expect(isoTime(at)).toBe('2024-03-05T14:07:11.000Z');
  });

  it('is undefined for anything else', () => {
    for (const value of ['', 'yesterday', '2024-03-05', 1_700_000_000, null, undefined, '2024-13-45T99:99:99Z x', '2024-13-01T00:00:00Z', '2024-02-30T10:00:00Z', '2024-01-01T24:00:00Z']) {
      expect(apiTimeMs(value)).toBeUndefined();
    }
  });
});
