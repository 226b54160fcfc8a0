import { afterAll } from 'vitest';
import { describeStoreBehaviour } from '../fixtures/store-behaviour.js';
import { testSchemas } from './fixtures/test-schemas.js';

const schemas = testSchemas('store');

afterAll(async () => {
  await schemas.dropAll();
});

describeStoreBehaviour('PostgresStore', { newLocation: () => schemas.emptiedLocation(), propertyRuns: 40 });
