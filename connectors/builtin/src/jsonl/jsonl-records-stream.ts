import { createReadStream } from 'node:fs';
import { defineStream, type ConnectorContext, type Page, type ReadRequest } from '@ferry/core';
import { assertResumable, readCheckpointInteger, readFileCheckpoint } from '../shared/file-checkpoint.js';
import { fileError } from '../shared/file-errors.js';
import { FingerprintTracker } from '../shared/file-fingerprint.js';
import { existingFileSize, resolveFile } from '../shared/resolve-file.js';
import { readJsonlKeys, readJsonlSettings } from './jsonl-settings.js';
import { readJsonlPages } from './read-jsonl-pages.js';
import type { LinePosition } from './line-splitter.js';

async function* readRecords(ctx: ConnectorContext, request: ReadRequest): AsyncGenerator<Page> {
  const settings = readJsonlSettings(ctx.config);
  const file = resolveFile(ctx, settings.path);
  const size = await existingFileSize(file);
  let start: LinePosition = { offset: 0, line: 0 };
  if (request.state !== undefined) {
    const checkpoint = readFileCheckpoint(request.state, 'jsonl');
    await assertResumable(file, size, checkpoint);
    start = { offset: checkpoint.offset, line: readCheckpointInteger(request.state, 'jsonl', 'line') ?? 0 };
  }
  const source = createReadStream(file, { start: start.offset });
  const fingerprints = new FingerprintTracker(file);
  try {
    const pages = readJsonlPages({ file, source, start, pageSize: settings.pageSize, primaryKey: settings.primaryKey });
    for await (const page of pages) {
      const state = { offset: page.end.offset, line: page.end.line, fingerprint: await fingerprints.at(page.end.offset) };
      yield { records: page.records, state };
    }
  } catch (error) {
    throw fileError(error, file, 'read');
  } finally {
    source.destroy();
  }
}

/**
 * The file's lines as records, in file order. The checkpoint is the byte offset after the last line of a page, so
 * a resume (or an incremental run after lines were appended) seeks straight there and reads only what follows.
 */
export const jsonlRecordsStream = defineStream({
  name: 'records',
  description: 'One record per line of the file, in file order; incremental runs read only lines appended since.',
  schema: { type: 'object', description: 'A JSON object from one line of the file.' },
  primaryKey: 'id',
  cursorField: 'id',
  syncModes: ['full', 'incremental'],
  shapeFor: readJsonlKeys,
  read: readRecords,
});
