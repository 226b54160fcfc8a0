import { afterEach, describe, expect, it } from 'vitest';
import type { JsonRecord } from '../contract/json-schema.js';
import type { KeyValueWrite, Store } from '../contract/store.js';
import { compileWhere } from '../fieldmap/index.js';
import { openSqliteStore, type SqliteStore } from '../store/index.js';
import { idOfField } from './pipeline-links.js';
import { RunLookups } from './run-lookups.js';
import { TransitionFilter } from './transition-filter.js';

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/** A filter over a new store, as a run builds it, with the store calls it makes counted by method. */
function setup() {
  const sqlite = openSqliteStore(':memory:');
  stores.push(sqlite);
  const calls: Record<string, number> = {};
  const store = new Proxy(sqlite, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        calls[String(property)] = (calls[String(property)] ?? 0) + 1;
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Store;
  const lookups = new RunLookups({ store, pipeline: 'customers', capacity: 100 });
  const filter = new TransitionFilter({ predicate: compileWhere("'customer' in tags"), lookups, pipeline: 'customers', idOf: idOfField('id') });
  const runId = sqlite.startRun({ pipeline: 'customers', mode: 'full', trigger: 'manual' });
  /** What the engine does once records settle: their verdicts go into the next batch. */
  const commit = (settled: readonly JsonRecord[]): void => {
    const values: KeyValueWrite[] = [];
    for (const record of settled) filter.settled(record, (entry) => values.push(entry));
    lookups.commitBatch({ runId, links: [], deadLetters: [], values });
  };
  return { sqlite, calls, filter, commit };
}

const person = (id: number | string, customer: boolean): JsonRecord => ({ id, tags: customer ? ['customer'] : [] });

describe('TransitionFilter', () => {
  it('reads a page’s verdicts in one store call and keeps in memory only what is not committed yet', () => {
    const { sqlite, calls, filter, commit } = setup();
    let starts = 0;
    let most = 0;
    for (let page = 0; page < 50; page++) {
      const records = Array.from({ length: 100 }, (_, index) => person(page * 100 + index, index % 3 === 0));
      filter.prefetch(records);
      for (const record of records) if (filter.test(record) === true) starts += 1;
      most = Math.max(most, filter.remembered);
      commit(records);
      // Committed: the store tells the rest.
      expect(filter.remembered).toBe(0);
    }
    expect(starts).toBe(50 * 34);
    expect(most).toBe(34);
    expect(calls).toMatchObject({ getValues: 50, commitBatch: 50 });
    expect(calls['getValue']).toBeUndefined();
    expect(sqlite.getValue('became:customers', '3')).toBe('1');
    expect(sqlite.getValue('became:customers', '4')).toBeUndefined();
  });

  it('judges a record against an earlier one of the same id, committed or not', () => {
    const { filter, commit } = setup();
    const first = person('x', true);
    const second = person('x', true);
    filter.prefetch([first, second]);
    expect(filter.test(first)).toBe(true);
    // Not committed yet: the earlier verdict counts, not the store's.
    expect(filter.test(second)).toBe(false);
    commit([first, second]);
    expect(filter.remembered).toBe(0);
    const third = person('x', false);
    const fourth = person('x', true);
    filter.prefetch([third, fourth]);
    expect(filter.test(third)).toBe(false);
    expect(filter.test(fourth)).toBe(true);
  });

  it('keeps a verdict the store does not hold when records of one id settle out of order', () => {
    const { sqlite, filter, commit } = setup();
    const starts = person('x', true);
    const stops = person('x', false);
    filter.prefetch([starts, stops]);
    expect(filter.test(starts)).toBe(true);
    expect(filter.test(stops)).toBe(false);
    // The stop settles first (it writes nothing: the store said 0), the start later (its write lands: 1).
    commit([stops]);
    commit([starts]);
    expect(sqlite.getValue('became:customers', 'x')).toBe('1');
    // The latest verdict (0) is not what the store holds: it is kept, and a passing record is a start again.
    expect(filter.remembered).toBe(1);
    const again = person('x', true);
    filter.prefetch([again]);
    expect(filter.test(again)).toBe(true);
  });
});
