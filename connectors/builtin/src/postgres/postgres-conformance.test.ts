import type { ConnectorContext } from '@ferry/core';
import { describeConformance } from '@ferry/core/testing';
import { pgTestSchema } from './pg-test-schema.fixture.js';
import { postgres } from './postgres-connector.js';

const pg = pgTestSchema('conformance');
const people = Array.from({ length: 730 }, (_, i) => ({
  id: `p${String(i).padStart(4, '0')}`,
  name: i % 7 === 0 ? `Zoë "Z" ${i}, jr.\nsecond line` : `Person ${i} — 名前`,
  age: 20 + (i % 50),
  vip: i % 3 === 0,
}));
const config = { table: 'people', pageSize: 40 };
const source = {
  connector: 'jsonl',
  stream: 'people',
  primaryKey: 'id',
  schema: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, age: { type: 'integer' }, vip: { type: 'boolean' } } },
};

describeConformance(postgres, {
  validConfig: { url: pg.url, schema: pg.schema, ...config },
  invalidConfigs: [
    { config: { table: 'people' }, because: 'has no url' },
    { config: { url: 'mysql://root@127.0.0.1/db' }, because: 'has a url that is not a PostgreSQL one' },
    { config: { url: pg.url, schema: 'bad schema' }, because: 'names a schema that is not an identifier' },
    { config: { url: pg.url, maxConnections: 0 }, because: 'allows no connection' },
    { config: { url: pg.url, database: 'x' }, because: 'has an unknown key' },
  ],
  context: (): ConnectorContext => pg.ctxFor(config),
  async setup() {
    const upsert = postgres.actions.find((action) => action.name === 'upsert')!;
    const answers = await upsert.runBatch!(pg.ctxFor(config), people.map((input) => ({ input, options: {}, linkedId: undefined, source })));
    if (answers.some((answer) => 'error' in answer)) throw new Error('the conformance table could not be written');
  },
  streams: { rows: { minRecords: people.length } },
  actions: {
    upsert: { validInput: { id: 'c1', name: 'Ada', tags: ['a'] }, invalidInput: 42, options: { table: 'conformance_rows' }, run: true },
    delete: { validInput: { id: 'c1' }, invalidInput: null, options: { table: 'conformance_rows' }, run: true },
  },
  errorCase: (ctx) =>
    postgres.actions[0].run(
      { ...ctx, cache: new Map(), config: { ...ctx.config, url: 'postgres://postgres@127.0.0.1:1/test' } },
      { input: { id: 1 }, options: {}, linkedId: undefined, source },
    ),
  errorCode: 'POSTGRES_UNAVAILABLE',
});
