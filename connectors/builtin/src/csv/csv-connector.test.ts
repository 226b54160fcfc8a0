import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveStream, type JsonRecord, type Page } from '@ferry/core';
import { ferryErrorOf, readAllPages } from '@ferry/core/testing';
import { csv } from './csv-connector.js';
import { scratchDir } from '../shared/scratch-dir.fixture.js';

const { dir, fileWith, ctxFor } = scratchDir('csv');

const stream = csv.streams[0];
const append = csv.actions[0];
const records = (pages: readonly Page[]): JsonRecord[] => pages.flatMap((page) => page.records);

function cell(value: string, quoteAll: boolean): string {
  return quoteAll || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

describe('csv records stream', () => {
  it('pages through random files (quoted newlines, quotes, unicode, BOM, CRLF) and resumes from every page with exactly the rest', async () => {
    // Graphemes never split a character; a value that is only spaces would be an empty-looking row in a one-column file.
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    const row = fc.record({ name: text, note: fc.oneof(text, fc.constantFrom('a\nb', 'x\r\ny', 'say "hi"', ',', '"')) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { maxLength: 30 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        async (rows, pageSize, bom, quoteAll, eol) => {
          const lines = ['id,name,note', ...rows.map((r, i) => [`r${i}`, r.name, r.note].map((v) => cell(v, quoteAll)).join(','))];
          const content = (bom ? '\uFEFF' : '') + lines.join(eol) + (rows.length % 2 === 0 ? eol : '');
          const ctx = ctxFor({ path: fileWith(content), pageSize });
          const pages = await readAllPages(stream, ctx, { mode: 'full' });
          expect(records(pages)).toEqual(rows.map((r, i) => ({ id: `r${i}`, name: r.name, note: r.note })));
          expect(pages.every((page) => page.records.length <= pageSize)).toBe(true);
          for (const [index, page] of pages.entries()) {
            const resumed = await readAllPages(stream, ctx, { mode: 'incremental', state: page.state });
            expect(records(resumed)).toEqual(records(pages.slice(index + 1)));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('types configured columns and describes them in the schema for that config', async () => {
    const config = { path: fileWith('id;age;vip\n1;30;true\n2;;no\n'), delimiter: ';', columns: { age: 'integer', vip: 'boolean' } };
    expect(records(await readAllPages(stream, ctxFor(config), { mode: 'full' }))).toEqual([
      { id: '1', age: 30, vip: true },
      { id: '2', age: null, vip: false },
    ]);
    expect(resolveStream(stream, config).schema).toMatchObject({ properties: { age: { type: ['integer', 'null'] }, vip: { type: ['boolean', 'null'] } } });
  });

  it('reads a file without a header row with the configured column names', async () => {
    const config = { path: fileWith('1,Ada\n2,Grace\n3,Linus\n'), header: ['id', 'name'], pageSize: 2 };
    const ctx = ctxFor(config);
    const pages = await readAllPages(stream, ctx, { mode: 'full' });
    expect(records(pages).map((r) => r['name'])).toEqual(['Ada', 'Grace', 'Linus']);
    expect(records(await readAllPages(stream, ctx, { mode: 'full', state: pages[0]?.state }))).toEqual([{ id: '3', name: 'Linus' }]);
  });

  it('reads only rows appended since the last checkpoint in incremental mode, with the header from the checkpoint', async () => {
    const path = fileWith('id,name\n1,a\n2,b\n');
    const ctx = ctxFor({ path });
    const state = (await readAllPages(stream, ctx, { mode: 'incremental' })).at(-1)?.state;
    expect(state).toMatchObject({ offset: 16, header: ['id', 'name'] });
    appendFileSync(join(dir, path), '3,"c\nd"\n');
    expect(records(await readAllPages(stream, ctx, { mode: 'incremental', state }))).toEqual([{ id: '3', name: 'c\nd' }]);
  });

  it('refuses to resume into a file that was rewritten, and names a missing file', async () => {
    const path = fileWith('id,name\n1,a\n2,b\n');
    const ctx = ctxFor({ path });
    const state = (await readAllPages(stream, ctx, { mode: 'full' })).at(-1)?.state;
    writeFileSync(join(dir, path), 'id,name\n9,z\n8,y\n7,x\n');
    expect((await ferryErrorOf(readAllPages(stream, ctx, { mode: 'incremental', state }))).code).toBe('FILE_CHANGED');
    const missing = await ferryErrorOf(readAllPages(stream, ctxFor({ path: 'missing.csv' }), { mode: 'full' }));
    expect(missing.code).toBe('FILE_NOT_FOUND');
    expect(missing.message).toContain(join(dir, 'missing.csv'));
  });

  it('streams a 100k-row file in pages of the configured size', async () => {
    const total = 100_000;
    const path = fileWith(`id,email\n${Array.from({ length: total }, (_, i) => `${i},p${i}@example.com\n`).join('')}`);
    let count = 0;
    for await (const page of stream.read(ctxFor({ path, pageSize: 4000 }), { mode: 'full', state: undefined, params: {} })) {
      expect(page.records.length).toBeLessThanOrEqual(4000);
      expect(page.records[0]?.['id']).toBe(String(count));
      count += page.records.length;
    }
    expect(count).toBe(total);
  });
});

describe('csv append', () => {
  const source = { connector: 'test', stream: 'people', schema: {}, primaryKey: 'id' };
  const run = (ctx: ReturnType<typeof ctxFor>, input: JsonRecord) => append.run(ctx, { input, options: {}, linkedId: undefined, source });

  it('writes the header once for a new file, even when writes overlap, and reads back what it wrote', async () => {
    const config = { path: 'out/people.csv', columns: { age: 'integer', vip: 'boolean' } };
    const ctx = ctxFor(config);
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: `p${i}`, name: `Zoë, "${i}"\nline two`, age: i, vip: i % 2 === 0 }));
    await Promise.all(rows.map((row) => run(ctx, row)));
    const text = readFileSync(join(dir, 'out/people.csv'), 'utf8');
    expect(text.startsWith('id,name,age,vip\n')).toBe(true);
    expect(text.match(/^id,name/gm)).toHaveLength(1);
    expect(records(await readAllPages(stream, ctx, { mode: 'full' }))).toEqual(rows);
  });

  it("writes an existing file's columns in its order, blank for missing fields", async () => {
    const path = fileWith('name,id,city\nAda,1,London');
    const ctx = ctxFor({ path });
    await run(ctx, { id: '2', name: 'Grace' });
    expect(readFileSync(join(dir, path), 'utf8')).toBe('name,id,city\nAda,1,London\nGrace,2,\n');
  });

  it('refuses a field that is not a column of the file, and stops the run', async () => {
    const path = fileWith('id,name\n');
    const error = await ferryErrorOf(run(ctxFor({ path }), { id: '1', nam: 'typo' }));
    expect(error.code).toBe('CSV_UNKNOWN_COLUMN');
    expect(error.message).toContain("did you mean 'name'?");
    expect(error.details['systemic']).toBe(true);
  });

  it('writes no header row when the connection names the columns itself', async () => {
    const ctx = ctxFor({ path: 'out/headerless.csv', header: ['id', 'name'] });
    await run(ctx, { id: '1', name: 'Ada' });
    expect(readFileSync(join(dir, 'out/headerless.csv'), 'utf8')).toBe('1,Ada\n');
  });
});
