import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetterInsert, LinkKey, LinkWrite, RunSummary } from '../contract/index.js';
import { isFerryError } from '../errors/index.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

const summary: RunSummary = {
  read: 10,
  created: 4,
  updated: 3,
  unchanged: 1,
  deleted: 0,
  skipped: 1,
  deadLettered: 1,
  apiCalls: 12,
  rateLimited: 2,
  retries: 3,
  utilization: 0.5,
  durationMs: 1234,
};

const contactKey: LinkKey = { sourceConnection: 'salesmsg', sourceStream: 'contacts', sourceId: '42', targetConnection: 'ghl', targetEntity: 'contacts' };

function linkWrite(overrides: Partial<LinkWrite> = {}): LinkWrite {
  return { ...contactKey, pipeline: 'leads', targetId: 'ghl-1', hash: 'hash-1', content: { firstName: 'Ada' }, ...overrides };
}

function deadLetter(overrides: Partial<DeadLetterInsert> = {}): DeadLetterInsert {
  return {
    pipeline: 'leads',
    stream: 'contacts',
    sourceId: '7',
    record: { id: 7, phone: 'not a phone' },
    error: { code: 'MAP_CONVERT', message: 'phone is not a phone number', hint: 'fix the number in Salesmsg' },
    attempts: 3,
    ...overrides,
  };
}

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-store-'));
  store = openSqliteStore(join(dir, 'ferry.db'));
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runs', () => {
  it('starts, finishes and lists runs newest first, per pipeline and with a limit', () => {
    const first = store.startRun({ pipeline: 'leads', mode: 'incremental', trigger: 'schedule' });
    const second = store.startRun({ pipeline: 'tags', mode: 'full', trigger: 'manual' });
    const third = store.startRun({ pipeline: 'leads', mode: 'full', trigger: 'webhook' });
    expect(new Set([first, second, third]).size).toBe(3);

    store.finishRun(first, { status: 'succeeded', summary });
    store.finishRun(third, { status: 'failed', summary, error: 'token revoked' });

    const runs = store.listRuns();
    expect(runs.map((run) => run.id)).toEqual([third, second, first]);
    const [latest, running, finished] = runs;
    expect(latest).toMatchObject({ pipeline: 'leads', mode: 'full', trigger: 'webhook', status: 'failed', error: 'token revoked', summary });
    expect(running).toMatchObject({ status: 'running', finishedAt: undefined, summary: undefined, error: undefined });
    expect(finished?.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(Date.parse(finished?.startedAt ?? '')).toBeLessThanOrEqual(Date.parse(finished?.finishedAt ?? ''));

    expect(store.listRuns({ pipeline: 'leads' }).map((run) => run.id)).toEqual([third, first]);
    expect(store.listRuns({ pipeline: 'leads', limit: 1 }).map((run) => run.id)).toEqual([third]);
    expect(store.listRuns({ pipeline: 'nothing' })).toEqual([]);
  });

  it('refuses to finish a run it never started', () => {
    const error = caught(() => store.finishRun(999, { status: 'succeeded', summary }));
    expect(isFerryError(error) && error.code).toBe('STORE_UNKNOWN_RUN');
  });
});

describe('checkpoints', () => {
  const key = { pipeline: 'leads', stream: 'contacts', partition: '' };
  const otherPartition = { pipeline: 'leads', stream: 'contacts', partition: 'location-2' };

  it('are written by commitBatch, read back, listed and cleared', () => {
    const runId = store.startRun({ pipeline: 'leads', mode: 'incremental', trigger: 'manual' });
    expect(store.getCheckpoint(key)).toBeUndefined();

    store.commitBatch({ runId, checkpoint: { key, state: { cursor: '2024-01-01', page: 1 } }, links: [], deadLetters: [] });
    store.commitBatch({ runId, checkpoint: { key, state: { cursor: '2024-02-01', page: 2 } }, links: [], deadLetters: [] });
    store.commitBatch({ runId, checkpoint: { key: otherPartition, state: { cursor: 'x' } }, links: [], deadLetters: [] });
    store.commitBatch({ runId, checkpoint: { key: { ...key, pipeline: 'tags' }, state: { n: 1 } }, links: [], deadLetters: [] });

    expect(store.getCheckpoint(key)).toEqual({ cursor: '2024-02-01', page: 2 });
    expect(store.getCheckpoint(otherPartition)).toEqual({ cursor: 'x' });

    const listed = store.listCheckpoints('leads');
    expect(listed.map((row) => [row.partition, row.state])).toEqual([
      ['', { cursor: '2024-02-01', page: 2 }],
      ['location-2', { cursor: 'x' }],
    ]);
    expect(listed[0]?.updatedAt).toMatch(/Z$/);
    expect(store.listCheckpoints().map((row) => row.pipeline)).toEqual(['leads', 'leads', 'tags']);

    store.clearCheckpoint(key);
    expect(store.getCheckpoint(key)).toBeUndefined();
    expect(store.getCheckpoint(otherPartition)).toEqual({ cursor: 'x' });
  });
});

describe('links', () => {
  it('keep one target per source record and a hash per pipeline', () => {
    const runId = store.startRun({ pipeline: 'leads', mode: 'full', trigger: 'manual' });
    expect(store.getLink(contactKey, 'leads')).toBeUndefined();

    store.commitBatch({ runId, links: [linkWrite()], deadLetters: [] });
    expect(store.getLink(contactKey, 'leads')).toMatchObject({ ...contactKey, targetId: 'ghl-1', hash: 'hash-1', content: { firstName: 'Ada' } });

    // Another pipeline writing to the same record keeps its own hash; the first pipeline's stays.
    store.commitBatch({ runId, links: [linkWrite({ pipeline: 'enrich', hash: 'hash-e', content: { tags: ['vip'] } })], deadLetters: [] });
    expect(store.getLink(contactKey, 'enrich')).toMatchObject({ targetId: 'ghl-1', hash: 'hash-e', content: { tags: ['vip'] } });
    expect(store.getLink(contactKey, 'leads')).toMatchObject({ hash: 'hash-1', content: { firstName: 'Ada' } });

    // A pipeline that never wrote through the link sees the target but no hash.
    const unseen = store.getLink(contactKey, 'never');
    expect(unseen).toMatchObject({ targetId: 'ghl-1', hash: undefined, content: undefined });

    // A new write replaces the pipeline's hash and content.
    store.commitBatch({ runId, links: [linkWrite({ hash: 'hash-2', content: { firstName: 'Ada', lastName: 'Lovelace' } })], deadLetters: [] });
    expect(store.getLink(contactKey, 'leads')).toMatchObject({ hash: 'hash-2', content: { firstName: 'Ada', lastName: 'Lovelace' } });

    // The same source id in another stream or towards another entity is another link.
    expect(store.getLink({ ...contactKey, sourceStream: 'leads' }, 'leads')).toBeUndefined();
    expect(store.getLink({ ...contactKey, targetEntity: 'opportunities' }, 'leads')).toBeUndefined();
  });

  it('forget every pipeline\'s hash when the destination record changes', () => {
    const runId = store.startRun({ pipeline: 'leads', mode: 'full', trigger: 'manual' });
    store.commitBatch({ runId, links: [linkWrite(), linkWrite({ pipeline: 'enrich', hash: 'hash-e' })], deadLetters: [] });

    // The destination record was deleted and recreated under a new id by the 'leads' pipeline.
    store.commitBatch({ runId, links: [linkWrite({ targetId: 'ghl-2', hash: 'hash-3' })], deadLetters: [] });
    expect(store.getLink(contactKey, 'leads')).toMatchObject({ targetId: 'ghl-2', hash: 'hash-3' });
    expect(store.getLink(contactKey, 'enrich')).toMatchObject({ targetId: 'ghl-2', hash: undefined });
  });

  it('are found by their destination record, with the latest content written to it', () => {
    const runId = store.startRun({ pipeline: 'leads', mode: 'full', trigger: 'manual' });
    store.commitBatch({ runId, links: [linkWrite()], deadLetters: [] });
    store.commitBatch({ runId, links: [linkWrite({ pipeline: 'enrich', hash: 'hash-e', content: { tags: ['vip'] } })], deadLetters: [] });

    expect(store.findLinkByTarget('ghl', 'contacts', 'ghl-1')).toMatchObject({ ...contactKey, targetId: 'ghl-1', hash: 'hash-e', content: { tags: ['vip'] } });
    expect(store.findLinkByTarget('ghl', 'contacts', 'ghl-404')).toBeUndefined();
    expect(store.findLinkByTarget('ghl', 'opportunities', 'ghl-1')).toBeUndefined();
  });
});

describe('commitBatch', () => {
  it('writes checkpoint, links, dead letters and resolved dead letters together', () => {
    const runId = store.startRun({ pipeline: 'leads', mode: 'full', trigger: 'manual' });
    store.commitBatch({ runId, links: [], deadLetters: [deadLetter(), deadLetter({ sourceId: '8' })] });
    const [first, second] = store.listDeadLetters();
    if (first === undefined || second === undefined) throw new Error('expected two dead letters');

    const key = { pipeline: 'leads', stream: 'contacts', partition: '' };
    store.commitBatch({
      runId,
      checkpoint: { key, state: { cursor: 5 } },
      links: [linkWrite(), linkWrite({ sourceId: '43', targetId: 'ghl-43' })],
      deadLetters: [deadLetter({ sourceId: '9' })],
      resolvedDeadLetters: [first.id],
    });

    expect(store.getCheckpoint(key)).toEqual({ cursor: 5 });
    expect(store.getLink({ ...contactKey, sourceId: '43' }, 'leads')?.targetId).toBe('ghl-43');
    expect(store.listDeadLetters({ status: 'replayed' }).map((row) => row.id)).toEqual([first.id]);
    expect(store.listDeadLetters({ status: 'open' }).map((row) => row.sourceId)).toEqual(['8', '9']);

    // A replay that fails again updates the same row instead of adding one.
    store.commitBatch({ runId, links: [], deadLetters: [], retriedDeadLetters: [{ id: second.id, error: { code: 'HTTP_422', message: 'still bad' }, attempts: 6 }] });
    const open = store.listDeadLetters({ status: 'open' });
    expect(open.map((row) => row.sourceId)).toEqual(['8', '9']);
    expect(open[0]).toMatchObject({ id: second.id, error: { code: 'HTTP_422', message: 'still bad' }, attempts: 6, status: 'open' });
  });

  it('keeps nothing of a batch that fails half-way', () => {
    const runId = store.startRun({ pipeline: 'leads', mode: 'full', trigger: 'manual' });
    const key = { pipeline: 'leads', stream: 'contacts', partition: '' };
    store.commitBatch({ runId, checkpoint: { key, state: { cursor: 1 } }, links: [linkWrite()], deadLetters: [deadLetter()] });
    const [open] = store.listDeadLetters();
    if (open === undefined) throw new Error('expected a dead letter');

    // The third link lacks its target id (as a JavaScript caller could send): NOT NULL fails mid-batch.
    const broken = { ...linkWrite({ sourceId: '45' }), targetId: null } as unknown as LinkWrite;
    const error = caught(() =>
      store.commitBatch({
        runId,
        checkpoint: { key, state: { cursor: 2 } },
        links: [linkWrite({ hash: 'hash-2' }), linkWrite({ sourceId: '44', targetId: 'ghl-44' }), broken],
        deadLetters: [deadLetter({ sourceId: '99' })],
        resolvedDeadLetters: [open.id],
        retriedDeadLetters: [{ id: open.id, error: { code: 'AGAIN', message: 'again' }, attempts: 9 }],
      }),
    );
    expect(isFerryError(error) && error.code).toBe('STORE_CONSTRAINT');
    expect(isFerryError(error) && error.message).toContain('links.target_id');

    expect(store.getCheckpoint(key)).toEqual({ cursor: 1 });
    expect(store.getLink(contactKey, 'leads')?.hash).toBe('hash-1');
    expect(store.getLink({ ...contactKey, sourceId: '44' }, 'leads')).toBeUndefined();
    expect(store.listDeadLetters().map((row) => [row.sourceId, row.status, row.error.code, row.attempts])).toEqual([['7', 'open', 'MAP_CONVERT', 3]]);

    // The store is still usable after the failed batch.
    store.commitBatch({ runId, checkpoint: { key, state: { cursor: 3 } }, links: [], deadLetters: [] });
    expect(store.getCheckpoint(key)).toEqual({ cursor: 3 });
  });

  it('refuses dead letters of a run that does not exist', () => {
    const error = caught(() => store.commitBatch({ runId: 12345, links: [], deadLetters: [deadLetter()] }));
    expect(isFerryError(error) && error.code).toBe('STORE_CONSTRAINT');
    expect(store.listDeadLetters()).toEqual([]);
  });
});

describe('dead letters', () => {
  it('keep the record and the error, and are filtered, limited and re-statused', () => {
    const leads = store.startRun({ pipeline: 'leads', mode: 'full', trigger: 'manual' });
    const tags = store.startRun({ pipeline: 'tags', mode: 'full', trigger: 'manual' });
    store.commitBatch({ runId: leads, links: [], deadLetters: [deadLetter(), deadLetter({ sourceId: undefined, error: { code: 'HTTP_400', message: 'bad' } })] });
    store.commitBatch({ runId: tags, links: [], deadLetters: [deadLetter({ pipeline: 'tags' })] });

    const all = store.listDeadLetters();
    expect(all).toHaveLength(3);
    const [first, second] = all;
    expect(first).toMatchObject({
      runId: leads,
      pipeline: 'leads',
      stream: 'contacts',
      sourceId: '7',
      record: { id: 7, phone: 'not a phone' },
      error: { code: 'MAP_CONVERT', message: 'phone is not a phone number', hint: 'fix the number in Salesmsg' },
      attempts: 3,
      status: 'open',
    });
    expect(first?.createdAt).toMatch(/Z$/);
    expect(second?.sourceId).toBeUndefined();
    expect(second?.error).toEqual({ code: 'HTTP_400', message: 'bad' });

    expect(store.listDeadLetters({ pipeline: 'tags' })).toHaveLength(1);
    expect(store.listDeadLetters({ pipeline: 'leads', limit: 1 }).map((row) => row.id)).toEqual([first?.id]);

    store.setDeadLetterStatus([first?.id ?? -1, second?.id ?? -1], 'discarded');
    expect(store.listDeadLetters({ status: 'discarded' }).map((row) => row.id)).toEqual([first?.id, second?.id]);
    expect(store.listDeadLetters({ pipeline: 'leads', status: 'open' })).toEqual([]);
    store.setDeadLetterStatus([], 'open');
    expect(store.listDeadLetters({ status: 'open' })).toHaveLength(1);
  });
});

describe('key/value', () => {
  it('stores, replaces and deletes values per namespace', () => {
    expect(store.getValue('ghl', 'cursor')).toBeUndefined();
    store.setValue('ghl', 'cursor', 'a');
    store.setValue('salesmsg', 'cursor', 'b');
    store.setValue('ghl', 'cursor', 'c');
    expect(store.getValue('ghl', 'cursor')).toBe('c');
    expect(store.getValue('salesmsg', 'cursor')).toBe('b');
    expect(store.deleteValue('ghl', 'cursor')).toBe(true);
    expect(store.deleteValue('ghl', 'cursor')).toBe(false);
    expect(store.getValue('ghl', 'cursor')).toBeUndefined();
  });
});

describe('life cycle', () => {
  it('keeps everything across close and reopen', () => {
    const runId = store.startRun({ pipeline: 'leads', mode: 'full', trigger: 'manual' });
    store.commitBatch({ runId, checkpoint: { key: { pipeline: 'leads', stream: 'contacts', partition: '' }, state: { cursor: 9 } }, links: [linkWrite()], deadLetters: [] });
    store.setValue('ns', 'k', 'v');
    store.close();

    store = openSqliteStore(join(dir, 'ferry.db'));
    expect(store.getCheckpoint({ pipeline: 'leads', stream: 'contacts', partition: '' })).toEqual({ cursor: 9 });
    expect(store.getLink(contactKey, 'leads')?.hash).toBe('hash-1');
    expect(store.getValue('ns', 'k')).toBe('v');
    expect(store.listRuns()).toHaveLength(1);
  });

  it('closes twice without complaint and then refuses work with STORE_CLOSED', () => {
    store.close();
    store.close();
    const error = caught(() => store.getValue('a', 'b'));
    expect(isFerryError(error) && error.code).toBe('STORE_CLOSED');
  });

  it('works in memory', () => {
    const memory = openSqliteStore(':memory:');
    try {
      const runId = memory.startRun({ pipeline: 'p', mode: 'full', trigger: 'manual' });
      memory.commitBatch({ runId, links: [linkWrite()], deadLetters: [] });
      expect(memory.getLink(contactKey, 'leads')?.targetId).toBe('ghl-1');
      expect(memory.file).toBe(':memory:');
    } finally {
      memory.close();
    }
  });
});
