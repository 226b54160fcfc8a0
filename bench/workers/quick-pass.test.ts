import { describe, expect, it } from 'vitest';
import { figuresByWorkers, figuresTable, verdictOf } from './figures.js';
import { runTrial } from './trial.js';

const SETUP = {
  locations: 2,
  size: 30,
  pageSize: 1,
  timeScale: 20,
  seed: 3,
  redisUrl: 'redis://127.0.0.1:6379/0',
  postgresUrl: 'postgres://postgres@127.0.0.1:5432/test',
  timeoutMs: 120_000,
} as const;

/** One quick pass of the benchmark (1 and 2 workers, two small locations): the measurement works end to end. */
describe('bench/workers quick pass (child processes, GHL sandbox, PostgreSQL, Redis)', () => {
  it('syncs every location with 1 and with 2 workers, within the windows, and reports each figure', async () => {
    const trials = [await runTrial({ ...SETUP, workers: 1 }), await runTrial({ ...SETUP, workers: 2 })];
    for (const trial of trials) {
      expect(trial.contacts).toBe(SETUP.locations * SETUP.size);
      expect(trial.warehouseRows).toBe(SETUP.locations * SETUP.size);
      expect(trial.calls).toBe(SETUP.locations * (SETUP.size / SETUP.pageSize + 1));
      expect(trial.busiestWindow).toBeGreaterThan(0);
      expect(trial.busiestWindow).toBeLessThanOrEqual(trial.windowMax);
      expect(trial.windowMs).toBe(10_000 / SETUP.timeScale);
      expect(trial.rateLimited).toBe(0);
      expect(trial.elapsedMs).toBeGreaterThan(0);
      expect(trial.peakRssMb).toHaveLength(trial.workers);
      for (const mb of trial.peakRssMb) expect(mb).toBeGreaterThan(0);
    }
    const figures = figuresByWorkers([trials], SETUP.locations * SETUP.size);
    expect(figures.map((f) => [f.workers, f.everyContactOnce])).toEqual([
      [1, true],
      [2, true],
    ]);
    expect(figures[1]?.ratio).toBeGreaterThan(0);
    expect(figuresTable(figures).split('\n')).toHaveLength(4);
    expect(verdictOf(figures).text).toContain('every contact once in every trial');
  });
});
