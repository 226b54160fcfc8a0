import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkKey, LinkWrite } from '../contract/index.js';
import { openSqliteStore, type SqliteStore } from './sqlite-store.js';

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function newStore(): SqliteStore {
  const store = openSqliteStore(':memory:');
  stores.push(store);
  return store;
}

const key = (sourceId: string, overrides: Partial<LinkKey> = {}): LinkKey => ({
  sourceConnection: 'salesmsg',
  sourceStream: 'contacts',
  sourceId,
  targetConnection: 'ghl',
  targetEntity: 'contacts',
  ...overrides,
});

function write(link: LinkKey, overrides: Partial<LinkWrite> = {}): LinkWrite {
  return { ...link, pipeline: 'leads', targetId: `t-${link.sourceId}`, hash: `h-${link.sourceId}`, content: { id: link.sourceId }, ...overrides };
}

function commit(store: SqliteStore, links: readonly LinkWrite[]): void {
  store.commitBatch({ runId: store.startRun({ pipeline: 'leads', mode: 'full', trigger: 'manual' }), links, deadLetters: [] });
}

describe('getLinks', () => {
  it('answers many keys in their order, as getLink answers each one', () => {
    const store = newStore();
    const tasks = { sourceStream: 'tasks', targetEntity: 'tasks' };
    commit(store, [write(key('1')), write(key('2')), write(key('1', tasks)), write(key('3'), { pipeline: 'other', hash: 'h-other' })]);
    const keys = [key('2'), key('missing'), key('1', tasks), key('1'), key('2'), key('3'), key('1', { targetConnection: 'hubspot' })];
    const links = store.getLinks(keys, 'leads');
    expect(links).toEqual(keys.map((k) => store.getLink(k, 'leads')));
    expect(links.map((link) => link?.targetId)).toEqual(['t-2', undefined, 't-1', 't-1', 't-2', 't-3', undefined]);
    // Linked by another pipeline only: the link is there, with no hash or content for this one.
    expect(links[5]).toMatchObject({ targetId: 't-3', hash: undefined, content: undefined });
    expect(store.getLinks([], 'leads')).toEqual([]);
  });

  it('finds ids whatever characters they hold', () => {
    const store = newStore();
    const ids = ['7', '007', 'é💡', 'q"b\\c', 'nul\u0000x', 'lone\ud800', ' spaced ', '[1,2]', 'null'];
    commit(store, ids.map((id) => write(key(id))));
    const links = store.getLinks(ids.map((id) => key(id)), 'leads');
    expect(links).toEqual(ids.map((id) => store.getLink(key(id), 'leads')));
    expect(links.every((link) => link !== undefined)).toBe(true);
  });

  it('agrees with getLink on any set of links and keys', () => {
    const id = fc.constantFrom('a', 'b', 'c', '1', '2', 'x y');
    const keyArb = fc.record({
      sourceConnection: fc.constantFrom('s1', 's2'),
      sourceStream: fc.constantFrom('contacts', 'tasks'),
      sourceId: id,
      targetConnection: fc.constantFrom('t1', 't2'),
      targetEntity: fc.constantFrom('contacts', 'notes'),
    });
    fc.assert(
      fc.property(fc.array(fc.tuple(keyArb, fc.constantFrom('p1', 'p2'))), fc.array(keyArb, { maxLength: 30 }), fc.constantFrom('p1', 'p2'), (writes, keys, pipeline) => {
        const store = newStore();
        commit(
          store,
          writes.map(([link, by]) => write(link, { pipeline: by })),
        );
        expect(store.getLinks(keys, pipeline)).toEqual(keys.map((k) => store.getLink(k, pipeline)));
      }),
      { numRuns: 150 },
    );
  });

  it('looks a page of a large table up at once', () => {
    const store = newStore();
    const ids = Array.from({ length: 5000 }, (_, index) => String(index));
    commit(store, ids.map((id) => write(key(id))));
    const page = ids.filter((_, index) => index % 5 === 0).map((id) => key(id));
    const links = store.getLinks(page, 'leads');
    expect(links.map((link) => link?.targetId)).toEqual(page.map((k) => `t-${k.sourceId}`));
  });
});
