import { defineConnector } from '@ferry/core';
import { postgresDeleteAction, postgresUpsertAction } from './postgres-actions.js';
import { postgresRowsStream } from './postgres-rows-stream.js';
import { postgresConfigSchema } from './postgres-settings.js';

/**
 * A PostgreSQL schema as a warehouse, the sibling of the `sqlite` one: the same actions and options, so a pipeline
 * moves from one to the other by changing its connection's `connector:`.
 */
export const postgres = defineConnector({
  name: 'postgres',
  version: '0.1.0',
  description: 'PostgreSQL warehouse: upsert/delete rows in tables created from the source schema; read a table back as a stream.',
  configSchema: postgresConfigSchema,
  auth: [{ kind: 'none' }],
  streams: [postgresRowsStream],
  actions: [postgresUpsertAction, postgresDeleteAction],
  triggers: [],
});
