import { afterEach, describe, expect, it } from 'vitest';
import type { LinkKey } from '../contract/store.js';
import { openSqliteStore, type SqliteStore } from './index.js';

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

const key = (sourceConnection: string, sourceId: string, targetEntity = 'contacts'): LinkKey => ({
  sourceConnection,
  sourceStream: 'contacts',
  sourceId,
  targetConnection: 'ghl',
  targetEntity,
});

describe('links removed and key/values written in a batch; links found by target and source connection', () => {
  it('drops a link with every pipeline’s write of it, and lands kv entries with the batch', () => {
    const store = openSqliteStore(':memory:');
    stores.push(store);
    const runId = store.startRun({ pipeline: 'p', mode: 'full', trigger: 'manual' });
    const write = (pipeline: string, k: LinkKey, targetId: string) => ({ ...k, pipeline, targetId, hash: 'h', content: { pipeline } });
    store.commitBatch({ runId, links: [write('a', key('salesmsg', '1'), 'X'), write('b', key('salesmsg', '1'), 'X'), write('a', key('salesmsg', '2', 'tasks'), 'T')], deadLetters: [] });
    expect(store.getLink(key('salesmsg', '1'), 'b')?.targetId).toBe('X');

    store.commitBatch({ runId, links: [], deadLetters: [], unlinks: [key('salesmsg', '1')], values: [{ namespace: 'became:p', key: '1', value: '1' }] });
    expect(store.getLink(key('salesmsg', '1'), 'a')).toBeUndefined();
    expect(store.getLink(key('salesmsg', '1'), 'b')).toBeUndefined();
    expect(store.findLinkByTarget('ghl', 'contacts', 'X')).toBeUndefined();
    expect(store.getLink(key('salesmsg', '2', 'tasks'), 'a')?.targetId).toBe('T');
    expect(store.getValue('became:p', '1')).toBe('1');
  });

  it('finds the link to a record from one source connection, whatever links to it from others', () => {
    const store = openSqliteStore(':memory:');
    stores.push(store);
    const runId = store.startRun({ pipeline: 'p', mode: 'full', trigger: 'manual' });
    store.commitBatch({ runId, links: [{ ...key('salesmsg', '7'), pipeline: 'leads', targetId: 'X', hash: 'h1', content: { firstName: 'Ada' } }], deadLetters: [] });
    store.commitBatch({ runId, links: [{ ...key('ghl', 'X'), pipeline: 'tags', targetId: 'X', hash: 'h2', content: { tags: ['vip'] } }], deadLetters: [] });
    expect(store.findLinkByTarget('ghl', 'contacts', 'X')?.sourceConnection).toBe('ghl');
    expect(store.findLinkFrom('salesmsg', 'ghl', 'contacts', 'X')).toMatchObject({ sourceId: '7', content: { firstName: 'Ada' } });
    expect(store.findLinkFrom('csv', 'ghl', 'contacts', 'X')).toBeUndefined();
  });
});
