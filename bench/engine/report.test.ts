import { describe, expect, it } from 'vitest';
import type { Measurement } from './measurement.js';
import { formatReport, median, summarize, type Round } from './report.js';

function measured(variant: Measurement['variant'], records: number, seconds: number, cpuSeconds: number, rssMb: number): Measurement {
  return {
    variant,
    records,
    written: records,
    skipped: 0,
    elapsedMs: seconds * 1000,
    cpuMs: cpuSeconds * 1000,
    recordsPerSecond: records / seconds,
    maxRssBytes: rssMb * 1024 * 1024,
    liveHeapBytes: 40 * 1024 * 1024,
  };
}

function round(engineSeconds: number, loopSeconds: number, smallRss: number, largeRss: number): Round {
  return {
    engine: measured('engine', 1_000_000, engineSeconds, engineSeconds, largeRss),
    baseline: measured('baseline', 1_000_000, loopSeconds, loopSeconds / 2, 150),
    small: measured('engine', 100_000, 2, 2, smallRss),
    floor: measured('engine', 0, 0.1, 0.1, 200),
  };
}

const machine = {
  date: new Date('2026-01-02T03:04:05Z'),
  cpuModel: 'Test CPU',
  cores: 2,
  memoryBytes: 4 * 1024 ** 3,
  node: 'v20.0.0',
  loadBefore: [1, 2, 3],
  loadAfter: [4, 5, 6],
  command: 'node --import tsx bench/engine/run.ts',
};

describe('the engine report', () => {
  it('takes medians of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('pairs engine and loop per round, and compares memory medians', () => {
    const summary = summarize([round(50, 40, 250, 260), round(100, 40, 300, 390), round(40, 40, 240, 250)]);
    expect(summary.engine.median).toBe(20_000);
    expect(summary.ratio.runs).toEqual([0.8, 0.4, 1]);
    expect(summary.ratio.median).toBe(0.8);
    expect(summary.engineCpu.median).toBe(50);
    expect(summary.cpuRatio.runs).toEqual([0.4, 0.2, 0.5]);
    expect(summary.rssGrowth).toBeCloseTo(260 / 250);
  });

  it('says which goals are met, with the machine and the command', () => {
    const met = formatReport(summarize([round(50, 40, 250, 260)]), machine);
    expect(met.table).toContain('| engine ÷ loop (per round) | 0.80 | 0.80 | ≥ 0.5: met |');
    expect(met.table).toContain('≤ 1.3: met');
    expect(met.table).toContain('| peak RSS above the 0-record floor, 100,000 → 1,000,000 records (medians) | 50 MB → 60 MB |  |  |');
    expect(met.table).toContain('| engine live heap after the run, 1,000,000 records | 40 MB | 40 MB |  |');
    expect(met.entry).toContain('2 × Test CPU, 4096 MB RAM, Node v20.0.0');
    expect(met.entry).toContain('Load average (1 / 5 / 15 min): 1.00 / 2.00 / 3.00 before, 4.00 / 5.00 / 6.00 after.');
    const missed = formatReport(summarize([round(100, 40, 200, 300)]), machine);
    expect(missed.table).toContain('≥ 0.5: NOT met');
    expect(missed.table).toContain('≤ 1.3: NOT met');
  });
});
