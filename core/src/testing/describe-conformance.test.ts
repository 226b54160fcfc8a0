import { FerryError } from '../errors/ferry-error.js';
import { createTestContext } from './create-test-context.js';
import { describeConformance } from './describe-conformance.js';
import { memoryConnector } from './memory-connector.fixture.js';

// The suite itself, run against a connector that does everything right: every check it registers must pass.
const connector = memoryConnector();

describeConformance(connector, {
  validConfig: { pageSize: 4 },
  invalidConfigs: [
    { config: { pageSize: 0 }, because: 'has a page size of 0' },
    { config: { pageSize: 4, extra: true }, because: 'has an unknown key' },
    { config: 'text', because: 'is not an object' },
  ],
  context: () => createTestContext({ connection: 'memory', config: { pageSize: 4 } }),
  streams: { items: { minRecords: 23 } },
  actions: { 'items.upsert': { validInput: { id: 'n1', name: 'new' }, invalidInput: { name: 'no id' }, run: true } },
  triggers: {
    'item.created': {
      delivery: () => ({
        headers: { 'x-token': 'secret' },
        rawBody: Buffer.from(JSON.stringify({ id: 'd1', item: { id: 'i99', name: 'hooked' } })),
        receivedAt: new Date(),
      }),
      records: 1,
    },
  },
  errorCase: () => Promise.reject(new FerryError('ITEM_NOT_FOUND', 'no item x', { hint: 'check the id' })),
  errorCode: 'ITEM_NOT_FOUND',
});
