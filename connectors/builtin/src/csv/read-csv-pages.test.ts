import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FerryError } from '@ferry/core';
import { ferryErrorOf } from '@ferry/core/testing';
import { readCsvPages, type CsvPage, type CsvReadOptions } from './read-csv-pages.js';

function options(text: string, overrides: Partial<CsvReadOptions> = {}): CsvReadOptions {
  const bytes = Buffer.from(text);
  return {
    file: '/data/people.csv',
    source: Readable.from([bytes]),
    startOffset: 0,
    header: undefined,
    delimiter: ',',
    trim: false,
    pageSize: 2,
    primaryKey: 'id',
    columnTypes: {},
    // Lines counted over the same text, as the connector counts them over the file.
    lineAt: (offset) => Promise.resolve(bytes.subarray(0, offset).toString().split('\n').length),
    ...overrides,
  };
}

async function collect(read: CsvReadOptions): Promise<CsvPage[]> {
  const pages: CsvPage[] = [];
  for await (const page of readCsvPages(read)) pages.push(page);
  return pages;
}

function failure(read: CsvReadOptions): Promise<FerryError> {
  return ferryErrorOf(collect(read));
}

describe('readCsvPages', () => {
  it('ends each page at the byte where the next record starts, quoted newlines and a BOM included', async () => {
    const text = '\uFEFFid,note\r\n1,"two\r\nlines"\r\n2,ü\r\n3,"say ""hi"""\r\n';
    const pages = await collect(options(text));
    expect(pages.map((page) => page.records)).toEqual([
      [
        { id: '1', note: 'two\r\nlines' },
        { id: '2', note: 'ü' },
      ],
      [{ id: '3', note: 'say "hi"' }],
    ]);
    const bytes = Buffer.from(text);
    expect(bytes.subarray(pages[0]!.offset).toString()).toBe('3,"say ""hi"""\r\n');
    expect(pages[1]?.offset).toBe(bytes.length);
    expect(pages[0]?.header).toEqual(['id', 'note']);
  });

  it('resumes mid-file with the header it is given', async () => {
    const text = 'id,n\n1,a\n2,b\n3,c\n';
    const offset = Buffer.byteLength('id,n\n1,a\n');
    const pages = await collect(options(text, { source: Readable.from([Buffer.from(text).subarray(offset)]), startOffset: offset, header: ['id', 'n'] }));
    expect(pages.flatMap((page) => page.records)).toEqual([
      { id: '2', n: 'b' },
      { id: '3', n: 'c' },
    ]);
    expect(pages.at(-1)?.offset).toBe(text.length);
  });

  it('types the configured columns', async () => {
    const pages = await collect(options('id,age,vip,score\n1,42,yes,1.5\n2,,no,\n', { columnTypes: { age: 'integer', vip: 'boolean', score: 'number' }, pageSize: 10 }));
    expect(pages[0]?.records).toEqual([
      { id: '1', age: 42, vip: true, score: 1.5 },
      { id: '2', age: null, vip: false, score: null },
    ]);
  });

  it('names file:line and column for a value of the wrong type', async () => {
    const error = await failure(options('id,age,note\n1,4,a\n2,5,"x\ny"\n3,forty,z\n', { columnTypes: { age: 'integer' } }));
    expect(error.code).toBe('CSV_BAD_VALUE');
    expect(error.message).toBe("/data/people.csv:5: column 'age' should be an integer, got 'forty'");
  });

  it('names the line of a malformed record', async () => {
    const ragged = await failure(options('id,a\n1,x\n2,y,z\n'));
    expect(ragged.code).toBe('CSV_BAD_RECORD');
    expect(ragged.message).toMatch(/^\/data\/people\.csv:3: /);
    const unclosed = await failure(options('id,a\n1,"x\n'));
    expect(unclosed.code).toBe('CSV_BAD_RECORD');
    expect(unclosed.hint).toContain('quotes');
  });

  it('refuses rows without a key, and headers without the key column', async () => {
    const keyless = await failure(options('id,a\n1,x\n,y\n'));
    expect(keyless.code).toBe('CSV_MISSING_KEY');
    expect(keyless.message).toContain('people.csv:3:');
    const noKey = await failure(options('ID,a\n1,x\n', { primaryKey: 'id' }));
    expect(noKey.code).toBe('CSV_MISSING_KEY_COLUMN');
    expect(noKey.message).toContain("did you mean 'ID'?");
    const twice = await failure(options('id,a,a\n1,x,y\n'));
    expect(twice.code).toBe('CSV_BAD_HEADER');
    const unknownType = await failure(options('id,a\n1,x\n', { columnTypes: { b: 'number' } }));
    expect(unknownType.code).toBe('CSV_UNKNOWN_COLUMN');
  });

  it('holds one page at a time: 100k rows are pulled from the source only as pages are consumed', async () => {
    const total = 100_000;
    const pageSize = 1000;
    let produced = 0;
    function* rows(): Generator<Buffer> {
      yield Buffer.from('id,name,city\n');
      for (let i = 0; i < total; i += 100) {
        const chunk: string[] = [];
        for (let j = i; j < i + 100; j += 1) chunk.push(`${j},"Person ${j}",Lyon\n`);
        produced += 100;
        yield Buffer.from(chunk.join(''));
      }
    }
    let seen = 0;
    let maxAhead = 0;
    let maxPage = 0;
    for await (const page of readCsvPages(options('', { source: Readable.from(rows(), { objectMode: false }), pageSize }))) {
      maxAhead = Math.max(maxAhead, produced - seen);
      maxPage = Math.max(maxPage, page.records.length);
      seen += page.records.length;
    }
    expect(seen).toBe(total);
    expect(maxPage).toBe(pageSize);
    expect(maxAhead).toBeLessThan(pageSize * 3);
  });
});
