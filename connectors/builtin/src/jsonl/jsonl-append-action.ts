import { defineAction, type ActionResult } from '@ferry/core';
import { appendedRecordId } from '../shared/appended-record-id.js';
import { appenderFor } from '../shared/file-appender.js';
import { resolveFile } from '../shared/resolve-file.js';
import { readJsonlSettings } from './jsonl-settings.js';

export const jsonlAppendAction = defineAction({
  name: 'append',
  description:
    'Appends each mapped record as one JSON line (the file and its directory are created when missing). A replay after a crash may append a line twice; the link table skips records already written.',
  input: { type: 'object', description: 'Any JSON object; written as one line.' },
  idempotence: 'none',
  async run(ctx, request): Promise<ActionResult> {
    const settings = readJsonlSettings(ctx.config);
    const line = `${JSON.stringify(request.input)}\n`;
    await appenderFor(ctx, resolveFile(ctx, settings.path)).append(() => line);
    return { outcome: 'created', id: appendedRecordId(request.input, settings.primaryKey) };
  },
});
