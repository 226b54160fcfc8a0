import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActionRequest } from '@ferry/core';
import { createTestContext } from '@ferry/core/testing';
import { sqlite } from './sqlite-connector.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-sqlite-shared-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const upsert = sqlite.actions.find((action) => action.name === 'upsert')!;
const source = { connector: 'crm', stream: 'contacts', schema: { type: 'object', properties: { id: { type: 'string' }, run: { type: 'string' } } }, primaryKey: 'id' } as const;

function request(id: string, run: string): ActionRequest {
  return { input: { id, run }, options: {}, linkedId: undefined, source };
}

describe('runs side by side in one process on one warehouse file', () => {
  it('write through one connection, so neither locks the other out', async () => {
    // Two runs (two contexts, as two partitions of a pipeline in one worker) writing at the same moment.
    const runs = ['north', 'south'].map((run) => ({ run, ctx: createTestContext({ config: { path: 'shared/warehouse.db' }, baseDir: dir }) }));
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const { run, ctx } = runs[i % 2]!;
        return upsert.run(ctx, request(`${run}-${i}`, run));
      }),
    );

    expect(results.map((result) => result.outcome)).toEqual(results.map(() => 'created'));
    const db = new Database(join(dir, 'shared/warehouse.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT run, count(*) AS n FROM contacts GROUP BY run ORDER BY run').all()).toEqual([
        { run: 'north', n: 20 },
        { run: 'south', n: 20 },
      ]);
    } finally {
      db.close();
    }
  });

  it('opens the file again when it was replaced between runs, instead of writing to the old one', async () => {
    const path = 'replaced/warehouse.db';
    const first = createTestContext({ config: { path }, baseDir: dir });
    await upsert.run(first, request('a', 'first'));
    rmSync(join(dir, 'replaced'), { recursive: true, force: true });

    const second = createTestContext({ config: { path }, baseDir: dir });
    await upsert.run(second, request('b', 'second'));

    const db = new Database(join(dir, path), { readonly: true });
    try {
      expect(db.prepare('SELECT id FROM contacts').all()).toEqual([{ id: 'b' }]);
    } finally {
      db.close();
    }
  });
});
