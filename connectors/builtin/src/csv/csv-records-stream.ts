import { createReadStream } from 'node:fs';
import { defineStream, FerryError, type ConnectorContext, type Page, type ReadRequest } from '@ferry/core';
import { assertResumable, readFileCheckpoint } from '../shared/file-checkpoint.js';
import { fileError } from '../shared/file-errors.js';
import { FingerprintTracker } from '../shared/file-fingerprint.js';
import { isStringArray } from '../shared/is-string-array.js';
import { lineAtOffset } from '../shared/line-at-offset.js';
import { existingFileSize, resolveFile } from '../shared/resolve-file.js';
import { csvRecordSchema } from './csv-record-schema.js';
import { readCsvSettings, readCsvShape } from './csv-settings.js';
import { readCsvPages } from './read-csv-pages.js';

function headerFromState(state: Readonly<Record<string, unknown>>): readonly string[] | undefined {
  const { header } = state;
  if (header === undefined) return undefined;
  if (isStringArray(header)) return header;
  throw new FerryError('STATE_INVALID', 'csv: the stored checkpoint has no usable header', {
    hint: 'run the pipeline with --full to read the file from the start (that replaces the checkpoint)',
  });
}

async function* readRecords(ctx: ConnectorContext, request: ReadRequest): AsyncGenerator<Page> {
  const settings = readCsvSettings(ctx.config);
  const file = resolveFile(ctx, settings.path);
  const size = await existingFileSize(file);
  let startOffset = 0;
  let header = settings.header;
  if (request.state !== undefined) {
    const checkpoint = readFileCheckpoint(request.state, 'csv');
    await assertResumable(file, size, checkpoint);
    startOffset = checkpoint.offset;
    // Mid-file there is no header row to read: the one read at the start travels in the checkpoint.
    header ??= headerFromState(request.state);
    if (header === undefined && startOffset > 0) {
      throw new FerryError('STATE_INVALID', 'csv: the stored checkpoint lacks the header row', {
        hint: 'run the pipeline with --full to read the file from the start (that replaces the checkpoint)',
      });
    }
  }
  const source = createReadStream(file, { start: startOffset });
  const fingerprints = new FingerprintTracker(file);
  try {
    const pages = readCsvPages({
      file,
      source,
      startOffset,
      header,
      delimiter: settings.delimiter,
      trim: settings.trim,
      pageSize: settings.pageSize,
      primaryKey: settings.primaryKey,
      columnTypes: settings.columns,
      lineAt: (offset) => lineAtOffset(file, offset),
    });
    for await (const page of pages) {
      const state = { offset: page.offset, header: [...page.header], fingerprint: await fingerprints.at(page.offset) };
      yield { records: page.records, state };
    }
  } catch (error) {
    throw fileError(error, file, 'read');
  } finally {
    source.destroy();
  }
}

/**
 * The file's rows as records. The checkpoint is the byte offset of the next row (plus the header row's names), so a
 * resume, or an incremental run after rows were appended, re-opens the file right there.
 */
export const csvRecordsStream = defineStream({
  name: 'records',
  description: 'One record per row, keyed by the header row; incremental runs read only rows appended since.',
  schema: csvRecordSchema({ columns: {}, header: undefined }),
  primaryKey: 'id',
  cursorField: 'id',
  syncModes: ['full', 'incremental'],
  shapeFor(config) {
    const shape = readCsvShape(config);
    return { schema: csvRecordSchema(shape), primaryKey: shape.primaryKey, cursorField: shape.primaryKey };
  },
  read: readRecords,
});
