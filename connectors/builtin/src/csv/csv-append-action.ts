import { defineAction, type ActionResult } from '@ferry/core';
import { appendedRecordId } from '../shared/appended-record-id.js';
import { appenderFor } from '../shared/file-appender.js';
import { resolveFile } from '../shared/resolve-file.js';
import { csvRowWriterFor } from './csv-row-writer.js';
import { readCsvSettings } from './csv-settings.js';

export const csvAppendAction = defineAction({
  name: 'append',
  description:
    'Appends each mapped record as one CSV row; a new file gets a header row from the first record (or the configured columns). A replay after a crash may append a row twice; the link table skips records already written.',
  input: { type: 'object', description: "A record whose fields are the file's columns; objects and arrays are written as JSON." },
  idempotence: 'none',
  async run(ctx, request): Promise<ActionResult> {
    const settings = readCsvSettings(ctx.config);
    const file = resolveFile(ctx, settings.path);
    const writer = csvRowWriterFor(ctx, file, settings);
    await appenderFor(ctx, file).append((end) => writer.render(end, request.input));
    return { outcome: 'created', id: appendedRecordId(request.input, settings.primaryKey) };
  },
});
