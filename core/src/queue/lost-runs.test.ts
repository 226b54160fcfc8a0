import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite-store.js';
import { combineRunSummaries } from '../runtime/combine-run-results.js';
import { closeLostRuns, WORKER_LOST_ERROR } from './lost-runs.js';

const log = pino({ level: 'silent' });

describe('closeLostRuns', () => {
  it("closes the unit's runs left running, and nothing else", () => {
    const store = openSqliteStore(':memory:');
    try {
      const lost = store.startRun({ pipeline: 'p', mode: 'incremental', trigger: 'schedule' });
      const finished = store.startRun({ pipeline: 'p', mode: 'incremental', trigger: 'schedule' });
      store.finishRun(finished, { status: 'succeeded', summary: combineRunSummaries([]) });
      const otherPartition = store.startRun({ pipeline: 'p', mode: 'incremental', trigger: 'schedule', partition: 'loc-2' });
      const otherPipeline = store.startRun({ pipeline: 'q', mode: 'incremental', trigger: 'schedule' });

      expect(closeLostRuns(store, { pipeline: 'p', partition: '' }, log)).toEqual([lost]);

      const byId = new Map(store.listRuns().map((run) => [run.id, run]));
      expect(byId.get(lost)).toMatchObject({ status: 'failed', error: WORKER_LOST_ERROR });
      expect(byId.get(finished)?.status).toBe('succeeded');
      expect(byId.get(otherPartition)?.status).toBe('running');
      expect(byId.get(otherPipeline)?.status).toBe('running');
      expect(closeLostRuns(store, { pipeline: 'p', partition: '' }, log)).toEqual([]);
    } finally {
      store.close();
    }
  });
});
