import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ConnectorContext } from '@ferry/core';
import { createTestContext, describeConformance, readAllPages } from '@ferry/core/testing';
import { csv, jsonl, sqlite } from './index.js';

const baseDir = mkdtempSync(join(tmpdir(), 'ferry-builtin-conformance-'));
afterAll(() => rmSync(baseDir, { recursive: true, force: true }));
const context = (config: Record<string, unknown>) => (): ConnectorContext => createTestContext({ connection: 'conformance', config, baseDir });

const people = Array.from({ length: 730 }, (_, i) => ({
  id: `p${String(i).padStart(4, '0')}`,
  name: i % 7 === 0 ? `Zoë "Z" ${i}, jr.\nsecond line` : `Person ${i} — 名前`,
  age: 20 + (i % 50),
  vip: i % 3 === 0,
}));

writeFileSync(join(baseDir, 'people.jsonl'), people.map((p) => JSON.stringify(p)).join('\n') + '\n');
const quote = (value: string): string => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
writeFileSync(
  join(baseDir, 'people.csv'),
  '\uFEFFid,name,age,vip\r\n' + people.map((p) => [p.id, quote(p.name), p.age, p.vip].join(',')).join('\r\n') + '\r\n',
);

describeConformance(jsonl, {
  validConfig: { path: 'people.jsonl', pageSize: 50 },
  invalidConfigs: [
    { config: {}, because: 'has no path' },
    { config: { path: 'a.jsonl', paht: 'typo' }, because: 'has an unknown key' },
    { config: { path: 'a.jsonl', pageSize: 0 }, because: 'has a page size of 0' },
    { config: { path: 'a.jsonl', primaryKey: 7 }, because: 'has a primaryKey that is not a string' },
  ],
  context: context({ path: 'people.jsonl', pageSize: 50 }),
  streams: { records: { minRecords: people.length } },
  actions: { append: { validInput: { id: 'x', name: 'X' }, invalidInput: ['not', 'an', 'object'] } },
  errorCase: (ctx) => readAllPages(jsonl.streams[0], { ...ctx, config: { path: 'missing.jsonl' } }, { mode: 'full' }),
  errorCode: 'FILE_NOT_FOUND',
});

describeConformance(csv, {
  validConfig: { path: 'people.csv', pageSize: 64, columns: { age: 'integer', vip: 'boolean' } },
  invalidConfigs: [
    { config: { delimiter: ';' }, because: 'has no path' },
    { config: { path: 'a.csv', columns: { age: 'date' } }, because: 'types a column with an unknown type' },
    { config: { path: 'a.csv', header: [] }, because: 'has an empty header list' },
    { config: { path: 'a.csv', header: ['a', 'a'] }, because: 'names a column twice' },
    { config: { path: 'a.csv', separator: ';' }, because: 'has an unknown key' },
  ],
  context: context({ path: 'people.csv', pageSize: 64, columns: { age: 'integer', vip: 'boolean' } }),
  streams: { records: { minRecords: people.length } },
  actions: { append: { validInput: { id: 'x', name: 'X' }, invalidInput: 'a string' } },
  errorCase: (ctx) => readAllPages(csv.streams[0], { ...ctx, config: { path: 'people.csv', columns: { name: 'number' } } }, { mode: 'full' }),
  errorCode: 'CSV_BAD_VALUE',
});

const warehouseConfig = { path: 'warehouse/ferry.db', table: 'people', pageSize: 40 };
describeConformance(sqlite, {
  validConfig: warehouseConfig,
  invalidConfigs: [
    { config: { table: 'people' }, because: 'has no path' },
    { config: { path: 'w.db', table: 'bad name' }, because: 'names a table that is not an identifier' },
    { config: { path: 'w.db', database: 'x' }, because: 'has an unknown key' },
  ],
  context: context(warehouseConfig),
  async setup() {
    const ctx = context(warehouseConfig)();
    const upsert = sqlite.actions.find((action) => action.name === 'upsert')!;
    const source = {
      connector: 'jsonl',
      stream: 'people',
      primaryKey: 'id',
      schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, age: { type: 'integer' }, vip: { type: 'boolean' } } },
    };
    await Promise.all(people.map((input) => upsert.run(ctx, { input, options: {}, linkedId: undefined, source })));
  },
  streams: { rows: { minRecords: people.length } },
  actions: {
    upsert: { validInput: { id: 'c1', name: 'Ada', tags: ['a'] }, invalidInput: 42, options: { table: 'conformance_rows' }, run: true },
    delete: { validInput: { id: 'c1' }, invalidInput: null, options: { table: 'conformance_rows' }, run: true },
  },
  errorCase: (ctx) =>
    sqlite.actions[0].run(ctx, {
      input: { id: 1 },
      options: { table: 'no such table!' },
      linkedId: undefined,
      source: { connector: 'x', stream: 'x', schema: {}, primaryKey: 'id' },
    }),
  errorCode: 'SQLITE_BAD_IDENTIFIER',
});
