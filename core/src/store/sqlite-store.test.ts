import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStoreBehaviour } from './fixtures/store-behaviour.js';
import { openSqliteStore } from './sqlite-store.js';

let dir: string;
let stores = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-store-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeStoreBehaviour('SqliteStore', {
  newLocation: () => join(dir, `store-${++stores}.db`),
  propertyRuns: 150,
});

describe('SqliteStore in memory', () => {
  it('works without a file', () => {
    const memory = openSqliteStore(':memory:');
    try {
      const runId = memory.startRun({ pipeline: 'p', mode: 'full', trigger: 'manual' });
      memory.commitBatch({
        runId,
        links: [{ sourceConnection: 's', sourceStream: 'c', sourceId: '1', targetConnection: 't', targetEntity: 'c', pipeline: 'p', targetId: 'x', hash: 'h', content: {} }],
        deadLetters: [],
      });
      expect(memory.getLink({ sourceConnection: 's', sourceStream: 'c', sourceId: '1', targetConnection: 't', targetEntity: 'c' }, 'p')?.targetId).toBe('x');
      expect(memory.file).toBe(':memory:');
    } finally {
      memory.close();
    }
  });
});
