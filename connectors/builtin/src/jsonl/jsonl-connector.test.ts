import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveStream, type JsonRecord, type Page } from '@ferry/core';
import { ferryErrorOf, readAllPages } from '@ferry/core/testing';
import { jsonl } from './jsonl-connector.js';
import { scratchDir } from '../shared/scratch-dir.fixture.js';

const { dir, fileWith, ctxFor } = scratchDir('jsonl');

const stream = jsonl.streams[0];
const append = jsonl.actions[0];
const ids = (pages: readonly Page[]): unknown[] => pages.flatMap((page) => page.records.map((record) => record['id']));

describe('jsonl records stream', () => {
  it('pages through the file and resumes from every page state with exactly the rest (random files)', async () => {
    const record = fc.record({ name: fc.string({ unit: 'grapheme' }), n: fc.integer(), tags: fc.array(fc.string(), { maxLength: 3 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        async (rows, pageSize, bom, eol) => {
          const lines = rows.map((row, i) => JSON.stringify({ id: i, ...row }));
          // Blank lines here and there, and sometimes no newline after the last line.
          const content = (bom ? '\uFEFF' : '') + lines.map((line, i) => (i % 5 === 4 ? `${eol}${line}` : line)).join(eol) + (rows.length % 2 === 0 ? eol : '');
          const ctx = ctxFor({ path: fileWith(content), pageSize });
          const pages = await readAllPages(stream, ctx, { mode: 'full' });
          expect(ids(pages)).toEqual(rows.map((_, i) => i));
          expect(pages.every((page) => page.records.length <= pageSize)).toBe(true);
          for (const [index, page] of pages.entries()) {
            const resumed = await readAllPages(stream, ctx, { mode: 'incremental', state: page.state });
            expect(ids(resumed)).toEqual(ids(pages.slice(index + 1)));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads only lines appended since the last checkpoint in incremental mode', async () => {
    const path = fileWith('{"id":1}\n{"id":2}\n');
    const ctx = ctxFor({ path, pageSize: 10 });
    const first = await readAllPages(stream, ctx, { mode: 'incremental' });
    const state = first.at(-1)?.state;
    expect(state).toMatchObject({ offset: 18, line: 2 });
    expect(await readAllPages(stream, ctx, { mode: 'incremental', state })).toEqual([]);
    appendFileSync(join(dir, path), '{"id":3}\n{"id":4}\n');
    const next = await readAllPages(stream, ctx, { mode: 'incremental', state });
    expect(ids(next)).toEqual([3, 4]);
    expect(next.at(-1)?.state).toMatchObject({ offset: 36, line: 4 });
  });

  it('refuses to resume into a file that was truncated or replaced', async () => {
    const path = fileWith('{"id":1}\n{"id":2}\n');
    const ctx = ctxFor({ path });
    const state = (await readAllPages(stream, ctx, { mode: 'full' })).at(-1)?.state;
    writeFileSync(join(dir, path), '{"id":9}\n');
    expect((await ferryErrorOf(readAllPages(stream, ctx, { mode: 'incremental', state }))).code).toBe('FILE_CHANGED');
    writeFileSync(join(dir, path), '{"id":7}\n{"id":8}\n{"id":9}\n');
    const replaced = await ferryErrorOf(readAllPages(stream, ctx, { mode: 'incremental', state }));
    expect(replaced.code).toBe('FILE_CHANGED');
    expect(replaced.hint).toContain('--full');
  });

  it('says which file is missing, as an absolute path', async () => {
    const error = await ferryErrorOf(readAllPages(stream, ctxFor({ path: 'nope/missing.jsonl' }), { mode: 'full' }));
    expect(error.code).toBe('FILE_NOT_FOUND');
    expect(error.message).toContain(join(dir, 'nope/missing.jsonl'));
  });

  it('streams a 100k-line file in pages of the configured size', async () => {
    const total = 100_000;
    const path = fileWith(Array.from({ length: total }, (_, i) => `{"id":${i},"email":"p${i}@example.com"}\n`).join(''));
    let count = 0;
    let pages = 0;
    for await (const page of stream.read(ctxFor({ path, pageSize: 5000 }), { mode: 'full', state: undefined, params: {} })) {
      expect(page.records.length).toBeLessThanOrEqual(5000);
      expect(page.records[0]?.['id']).toBe(count);
      count += page.records.length;
      pages += 1;
    }
    expect(count).toBe(total);
    expect(pages).toBe(20);
  });

  it('takes its key and cursor from the connection config', () => {
    const resolved = resolveStream(stream, { path: 'x.jsonl', primaryKey: 'email' });
    expect(resolved.primaryKey).toBe('email');
    expect(resolved.cursorField).toBe('email');
  });
});

describe('jsonl append', () => {
  const source = { connector: 'test', stream: 'people', schema: {}, primaryKey: 'id' };
  const run = (ctx: ReturnType<typeof ctxFor>, input: JsonRecord) => append.run(ctx, { input, options: {}, linkedId: undefined, source });

  it('appends one line per record in call order, even when the calls overlap', async () => {
    const ctx = ctxFor({ path: 'out/new/appended.jsonl' });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => run(ctx, { id: i, text: `line ${i} ✓` })));
    expect(results[7]).toEqual({ outcome: 'created', id: '7' });
    const lines = readFileSync(join(dir, 'out/new/appended.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as JsonRecord)['id'])).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('starts on a new line when the file does not end with one, and reads back what it wrote', async () => {
    const path = fileWith('{"id":"a"}');
    const ctx = ctxFor({ path });
    await run(ctx, { id: 'b', nested: { deep: [1, 2] } });
    const pages = await readAllPages(stream, ctx, { mode: 'full' });
    expect(pages.flatMap((page) => page.records)).toEqual([{ id: 'a' }, { id: 'b', nested: { deep: [1, 2] } }]);
  });

  it('reports a content hash as the id of a record without a key', async () => {
    const result = await run(ctxFor({ path: 'keyless.jsonl' }), { name: 'no id' });
    expect(result.id).toMatch(/^[0-9a-f]{64}$/);
  });
});
