import { describe, expect, it } from 'vitest';
import { ceilingPerSecond, latencyBound, locationCounters, overallShare, sustainedShare, type SyncOutcome } from './sync-outcome.js';

const window = { max: 100, perMs: 500 };

describe('sync figures', () => {
  it('the ceiling is max per window, in requests per second', () => {
    expect(ceilingPerSecond(window)).toBe(200);
  });

  it('sustained: 1 when every (i+max)-th call comes one window after the i-th, less when slots sit idle', () => {
    const atCeiling = Array.from({ length: 1000 }, (_, i) => Math.floor(i / 100) * 500 + (i % 100));
    expect(sustainedShare(atCeiling, window)).toBeCloseTo(1, 5);
    const slower = atCeiling.map((at, i) => at + Math.floor(i / 100) * 25);
    expect(sustainedShare(slower, window)).toBeCloseTo(500 / 525, 5);
    expect(sustainedShare(atCeiling.slice(0, 100), window)).toBeUndefined();
  });

  it('overall counts the first burst, so a short sync can pass 1', () => {
    const outcome = { admitted: 300, elapsedMs: 1000 } as SyncOutcome;
    expect(overallShare(outcome, window)).toBe(1.5);
  });

  it('the latency bound: a window over the window, the margin and the mean call time', () => {
    expect(latencyBound(window, 0, 0)).toBe(1);
    expect(latencyBound(window, 23, 2)).toBeCloseTo(500 / 525, 10);
  });

  it('reads a location from the sandbox stats, zeros when absent', () => {
    const stats = { locations: { loc1: { admitted: 10, rateLimited: 2, peakInWindow: 7, rollingPeak: 8 } } };
    expect(locationCounters(stats, 'loc1')).toEqual({ admitted: 10, rateLimited: 2, peakInWindow: 7, rollingPeak: 8 });
    expect(locationCounters(stats, 'other')).toEqual({ admitted: 0, rateLimited: 0, peakInWindow: 0, rollingPeak: 0 });
  });
});
