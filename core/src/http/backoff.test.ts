import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay, parseRetryAfter } from './backoff.js';

describe('backoffDelay', () => {
  it('stays within [0, min(max, base·2^(n-1))] for any draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), (retry, draw) => {
        const delay = backoffDelay(retry, 100, 5000, () => draw);
        return delay >= 0 && delay <= Math.min(5000, 100 * 2 ** (retry - 1));
      }),
    );
  });

  it('grows exponentially until the cap', () => {
    const top = () => 0.999_999;
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 100, 1000, top))).toEqual([100, 200, 400, 800, 1000]);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, decimal seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.25')).toBe(250);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
