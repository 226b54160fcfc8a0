import { defineConnector } from '@ferry/core';
import { sqliteDeleteAction, sqliteUpsertAction } from './sqlite-actions.js';
import { sqliteRowsStream } from './sqlite-rows-stream.js';
import { sqliteConfigSchema } from './sqlite-settings.js';

/** A SQLite file as a warehouse: idempotent upserts into tables derived from the source, and a stream to read one back. */
export const sqlite = defineConnector({
  name: 'sqlite',
  version: '0.1.0',
  description: 'SQLite warehouse: upsert/delete rows in tables created from the source schema; read a table back as a stream.',
  configSchema: sqliteConfigSchema,
  auth: [{ kind: 'none' }],
  streams: [sqliteRowsStream],
  actions: [sqliteUpsertAction, sqliteDeleteAction],
  triggers: [],
});
