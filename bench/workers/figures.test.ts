import { describe, expect, it } from 'vitest';
import { figuresByWorkers, figuresTable, roundLines, verdictOf, windowCeiling, type TrialOutcome } from './figures.js';

function trial(workers: number, elapsedMs: number, extra: Partial<TrialOutcome> = {}): TrialOutcome {
  return {
    workers,
    locations: 6,
    contacts: 600,
    warehouseRows: 600,
    calls: 606,
    elapsedMs,
    meanRunMs: 9_000,
    peakRssMb: Array.from({ length: workers }, (_, i) => 200 + i * 10),
    busiestWindow: 98,
    windowMax: 100,
    windowMs: 2500,
    rateLimited: 0,
    loadAverage: 1.5,
    ...extra,
  };
}

describe('scale-out figures', () => {
  const rounds = [
    [trial(1, 60_000), trial(2, 30_000), trial(3, 21_000)],
    [trial(3, 20_000), trial(2, 32_000), trial(1, 62_000)],
  ];

  it('gives each worker count its median throughput and its ratio to one worker within each round', () => {
    const figures = figuresByWorkers(rounds, 600);
    expect(figures.map((f) => f.workers)).toEqual([1, 2, 3]);
    expect(figures[0]?.contactsPerSecond).toBeCloseTo((10 + 600 / 62) / 2, 6);
    expect(figures[0]?.ratio).toBe(1);
    // Round 1: 60/30 = 2; round 2: 62/32 = 1.9375.
    expect(figures[1]?.ratio).toBeCloseTo((2 + 62 / 32) / 2, 6);
    expect(figures[2]?.peakRssMb).toBe(220);
    expect(figures[2]?.ceilingCallsPerSecond).toBe(120);
    expect(windowCeiling(trial(12, 1000, { locations: 6 }))).toBe(240);
  });

  it('meets the goals only when the ratios are near-linear, no window went over, and every contact landed once', () => {
    expect(verdictOf(figuresByWorkers(rounds, 600))).toMatchObject({ met: true });
    const slow = [[trial(1, 60_000), trial(2, 40_000), trial(3, 21_000)]];
    expect(verdictOf(figuresByWorkers(slow, 600)).met).toBe(false);
    const over = [[trial(1, 60_000), trial(2, 30_000, { busiestWindow: 101 }), trial(3, 20_000)]];
    expect(verdictOf(figuresByWorkers(over, 600)).met).toBe(false);
    const lost = [[trial(1, 60_000), trial(2, 30_000, { warehouseRows: 599 }), trial(3, 20_000)]];
    const verdict = verdictOf(figuresByWorkers(lost, 600));
    expect(verdict.met).toBe(false);
    expect(verdict.text).toContain('MISSING or doubled');
  });

  it('writes a table row per worker count and a line per round', () => {
    const table = figuresTable(figuresByWorkers(rounds, 600)).split('\n');
    expect(table).toHaveLength(5);
    expect(table[3]).toMatch(/^\| 2 \| 19\.\d \| 19\.\d \| ×1\.97 \| 80 \| 0\.2\d \| 31\.0 \| 9\.0 \| 210 \| 98 \/ 100 \| 0 \| yes \|$/);
    expect(roundLines(rounds)[1]).toBe('- round 2 (contacts/s by workers): 1: 9.7, load 1.5; 2: 18.8 (×1.94), load 1.5; 3: 30.0 (×3.10), load 1.5');
  });
});
