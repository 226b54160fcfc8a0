import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LinkWrite, Logger } from '../contract/index.js';
import { isFerryError } from '../errors/index.js';
import { openSqliteStore } from './sqlite-store.js';
import { spawnFixture, waitForExit, waitForLine } from './fixtures/spawn-fixture.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-durable-'));
  file = join(dir, 'ferry.db');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

function link(sourceId: string, padding = ''): LinkWrite {
  return {
    sourceConnection: 'a',
    sourceStream: 'contacts',
    sourceId,
    targetConnection: 'b',
    targetEntity: 'contacts',
    targetId: `t-${sourceId}`,
    pipeline: 'p',
    hash: 'h',
    content: { sourceId, padding },
  };
}

describe('the store file', () => {
  it('is created with its folders, private to its owner, -wal and -shm included, whatever the umask', () => {
    const nested = join(dir, 'state', 'deeper', 'ferry.db');
    const previous = process.umask(0o000);
    try {
      const store = openSqliteStore(nested);
      store.setValue('ns', 'k', 'v');
      for (const suffix of ['', '-wal', '-shm']) {
        expect(existsSync(`${nested}${suffix}`)).toBe(true);
        expect(mode(`${nested}${suffix}`).toString(8)).toBe('600');
      }
      store.close();
    } finally {
      process.umask(previous);
    }
    expect(mode(join(dir, 'state')).toString(8)).toBe('700');
  });

  it('keeps the mode of an existing store and warns when others can read it', () => {
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const log: Logger = { debug: () => {}, info: () => {}, warn: (_obj, msg) => warnings.push(msg ?? ''), error: () => {}, child: () => log };
    openSqliteStore(file, { log }).close();
    expect(mode(file).toString(8)).toBe('644');
    expect(warnings).toEqual([expect.stringContaining('chmod 600')]);
  });

  it('that is not SQLite is refused with STORE_CORRUPT, the path and a hint', () => {
    writeFileSync(file, 'name,phone\nAda,+15551234567\n'.repeat(200));
    const error = caught(() => openSqliteStore(file));
    expect(isFerryError(error) && error.code).toBe('STORE_CORRUPT');
    expect(isFerryError(error) && error.message).toContain(file);
    expect(isFerryError(error) && error.hint).toContain('.recover');
    // Nothing was written into the foreign file.
    expect(statSync(file).size).toBe('name,phone\nAda,+15551234567\n'.length * 200);
  });

  it('whose pages are damaged is refused with STORE_CORRUPT', () => {
    const store = openSqliteStore(file);
    store.setValue('ns', 'k', 'v');
    store.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(3000, 0x5a), 0, 3000, 100);
    closeSync(fd);
    const error = caught(() => openSqliteStore(file));
    expect(isFerryError(error) && error.code).toBe('STORE_CORRUPT');
  });

  it('that is a folder cannot be opened, and says so', () => {
    const error = caught(() => openSqliteStore(dir));
    expect(isFerryError(error) && error.code).toBe('STORE_CANNOT_OPEN');
  });
});

describe('a full disk', () => {
  it('fails the write with STORE_DISK_FULL and keeps the last committed batch whole', () => {
    const store = openSqliteStore(file, { maxSizeBytes: 256 * 1024 });
    const runId = store.startRun({ pipeline: 'p', mode: 'full', trigger: 'manual' });
    const key = { pipeline: 'p', stream: 'contacts', partition: '' };
    let committed = 0;
    let failure: unknown;
    for (let batch = 1; batch <= 1000 && failure === undefined; batch++) {
      try {
        const links = Array.from({ length: 20 }, (_, i) => link(`${batch}-${i}`, 'x'.repeat(500)));
        store.commitBatch({ runId, checkpoint: { key, state: { batch } }, links, deadLetters: [] });
        committed = batch;
      } catch (error) {
        failure = error;
      }
    }
    expect(committed).toBeGreaterThan(3);
    expect(isFerryError(failure) && failure.code).toBe('STORE_DISK_FULL');
    expect(isFerryError(failure) && failure.hint).toMatch(/Free space/);
    expect(isFerryError(failure) && failure.message).not.toContain('xxxx');

    expect(store.getCheckpoint(key)).toEqual({ batch: committed });
    expect(store.getLink({ ...link(`${committed + 1}-0`) }, 'p')).toBeUndefined();
    // Reads still work, and so do writes that need no new page.
    store.clearCheckpoint(key);
    expect(store.getCheckpoint(key)).toBeUndefined();
    store.close();
  });
});

describe('a process killed while it commits', () => {
  it('leaves a store that reopens with its last checkpoint and exactly the batches before it', async () => {
    for (const delayMs of [0, 40, 150]) {
      rmSync(file, { force: true });
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
      const child = spawnFixture('commit-until-killed.ts', [file]);
      await waitForLine(child, 'ready');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill('SIGKILL');
      expect((await waitForExit(child)).signal).toBe('SIGKILL');

      const store = openSqliteStore(file);
      const state = store.getCheckpoint({ pipeline: 'crash', stream: 'contacts', partition: '' });
      const batch = typeof state?.['batch'] === 'number' ? state['batch'] : 0;
      expect(batch).toBeGreaterThanOrEqual(20);
      const linkKey = { sourceConnection: 'source', sourceStream: 'contacts', targetConnection: 'target', targetEntity: 'contacts' };
      expect(store.getLink({ ...linkKey, sourceId: `${batch}-49` }, 'crash')?.hash).toBe(`hash-${batch}`);
      expect(store.getLink({ ...linkKey, sourceId: `${batch + 1}-0` }, 'crash')).toBeUndefined();
      expect(store.listDeadLetters()).toHaveLength(batch);
      // The store takes new work after the crash.
      store.setValue('after', 'crash', 'ok');
      store.close();

      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.prepare('SELECT count(*) FROM links').pluck().get()).toBe(batch * 50);
        expect(db.prepare('SELECT count(*) FROM link_writes').pluck().get()).toBe(batch * 50);
      } finally {
        db.close();
      }
    }
  });
});

describe('two connections to one file', () => {
  it('interleave their batches without losing any', () => {
    const a = openSqliteStore(file);
    const b = openSqliteStore(file);
    try {
      const runA = a.startRun({ pipeline: 'a', mode: 'full', trigger: 'manual' });
      const runB = b.startRun({ pipeline: 'b', mode: 'full', trigger: 'manual' });
      for (let i = 0; i < 50; i++) {
        a.commitBatch({ runId: runA, links: [link(`a-${i}`)], deadLetters: [] });
        b.commitBatch({ runId: runB, links: [link(`b-${i}`)], deadLetters: [] });
      }
      expect(a.getLink(link('b-49'), 'p')?.targetId).toBe('t-b-49');
      expect(b.getLink(link('a-49'), 'p')?.targetId).toBe('t-a-49');
      expect(a.listRuns().map((run) => run.pipeline)).toEqual(['b', 'a']);
    } finally {
      a.close();
      b.close();
    }
  });
});
