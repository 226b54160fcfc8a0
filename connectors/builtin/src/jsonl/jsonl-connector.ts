import { defineConnector } from '@ferry/core';
import { jsonlAppendAction } from './jsonl-append-action.js';
import { jsonlConfigSchema } from './jsonl-settings.js';
import { jsonlRecordsStream } from './jsonl-records-stream.js';

/** JSON Lines files: a source read in checkpointed pages by byte offset, and an append-only destination. */
export const jsonl = defineConnector({
  name: 'jsonl',
  version: '0.1.0',
  description: 'JSON Lines files (one JSON object per line): read in pages, resumed by byte offset; append records.',
  configSchema: jsonlConfigSchema,
  auth: [{ kind: 'none' }],
  streams: [jsonlRecordsStream],
  actions: [jsonlAppendAction],
  triggers: [],
});
