import { describe, expect, it } from 'vitest';
import type { LinkWrite } from '../../contract/index.js';
import { groupLinkWrites, lastRetries, lastValueWrites, linkKeyArrays } from './batch-arrays.js';

function link(sourceId: string, pipeline = 'p', targetId = `t-${sourceId}`): LinkWrite {
  return { sourceConnection: 's', sourceStream: 'c', sourceId, targetConnection: 't', targetEntity: 'e', pipeline, targetId, hash: 'h', content: {} };
}

describe('batch arrays', () => {
  it('put all writes of distinct links in one group, sorted by key', () => {
    const groups = groupLinkWrites([link('b'), link('c'), link('a')]);
    expect(groups.map((group) => group.map((write) => write.sourceId))).toEqual([['a', 'b', 'c']]);
  });

  it('start a new group where a link repeats, so a later write lands after the earlier one', () => {
    const groups = groupLinkWrites([link('a', 'p1'), link('b'), link('a', 'p2', 'new'), link('c'), link('b'), link('a', 'p3')]);
    expect(groups.map((group) => group.map((write) => `${write.sourceId}:${write.pipeline}`))).toEqual([
      ['a:p1', 'b:p'],
      ['a:p2', 'b:p', 'c:p'],
      ['a:p3'],
    ]);
    expect(groupLinkWrites([])).toEqual([]);
  });

  it('do not mistake keys that only differ in where their parts split', () => {
    const left = { ...link('x'), sourceStream: 'c\u0000x', sourceId: 'y' };
    const right = { ...link('x'), sourceStream: 'c', sourceId: 'x\u0000y' };
    expect(groupLinkWrites([left, right])).toHaveLength(1);
    expect(lastValueWrites([
      { namespace: 'a\u0000b', key: 'c', value: '1' },
      { namespace: 'a', key: 'b\u0000c', value: '2' },
    ])).toHaveLength(2);
  });

  it('keep the last value of a key and the last retry of a dead letter', () => {
    expect(lastValueWrites([
      { namespace: 'n', key: 'b', value: '1' },
      { namespace: 'n', key: 'a', value: '2' },
      { namespace: 'n', key: 'b', value: '3' },
    ])).toEqual([
      { namespace: 'n', key: 'a', value: '2' },
      { namespace: 'n', key: 'b', value: '3' },
    ]);
    const error = { code: 'X', message: 'x' };
    expect(lastRetries([{ id: 5, error, attempts: 1 }, { id: 2, error, attempts: 1 }, { id: 5, error, attempts: 2 }])).toEqual([
      { id: 2, error, attempts: 1 },
      { id: 5, error, attempts: 2 },
    ]);
  });

  it('spread link keys over five parallel arrays', () => {
    expect(linkKeyArrays([link('1'), link('2')])).toEqual([['s', 's'], ['c', 'c'], ['1', '2'], ['t', 't'], ['e', 'e']]);
  });
});
