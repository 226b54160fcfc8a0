import { defineConnector } from '@ferry/core';
import { csvAppendAction } from './csv-append-action.js';
import { csvRecordsStream } from './csv-records-stream.js';
import { csvConfigSchema } from './csv-settings.js';

/** CSV files: a source read in checkpointed pages by byte offset (typed columns optional), and an append-only destination. */
export const csv = defineConnector({
  name: 'csv',
  version: '0.1.0',
  description: 'CSV files: rows read in pages with typed columns, resumed by byte offset; append rows.',
  configSchema: csvConfigSchema,
  auth: [{ kind: 'none' }],
  streams: [csvRecordsStream],
  actions: [csvAppendAction],
  triggers: [],
});
