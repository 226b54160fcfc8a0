import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { FerryError } from '@ferry/core';
import { ferryErrorOf } from '@ferry/core/testing';
import { readJsonlPages, type JsonlPage } from './read-jsonl-pages.js';

const options = { file: '/data/x.jsonl', start: { offset: 0, line: 0 }, pageSize: 2, primaryKey: 'id' } as const;

async function collect(text: string, pageSize = 2): Promise<JsonlPage[]> {
  const pages: JsonlPage[] = [];
  for await (const page of readJsonlPages({ ...options, pageSize, source: Readable.from([Buffer.from(text)]) })) pages.push(page);
  return pages;
}

function failure(text: string): Promise<FerryError> {
  return ferryErrorOf(collect(text));
}

describe('readJsonlPages', () => {
  it('pages records and ends each page at the byte after its last line', async () => {
    const pages = await collect('{"id":1}\n{"id":2}\n\n{"id":3}');
    expect(pages.map((page) => page.records.map((r) => r['id']))).toEqual([[1, 2], [3]]);
    expect(pages.map((page) => page.end)).toEqual([
      { offset: 18, line: 2 },
      { offset: 27, line: 4 },
    ]);
  });

  it('skips blank lines and a byte order mark, and moves past trailing blank lines', async () => {
    const pages = await collect('\uFEFF{"id":"a"}\r\n   \n\n', 10);
    expect(pages).toHaveLength(1);
    expect(pages[0]?.records).toEqual([{ id: 'a' }]);
    expect(pages[0]?.end.offset).toBe(Buffer.byteLength('\uFEFF{"id":"a"}\r\n   \n\n'));
  });

  it('names file:line for a line that is not JSON', async () => {
    const error = await failure('{"id":1}\n{"id":2}\n{"id":3,}\n');
    expect(error.code).toBe('JSONL_BAD_LINE');
    expect(error.message).toMatch(/^\/data\/x\.jsonl:3: not valid JSON/);
    expect(error.hint).toBeDefined();
  });

  it('refuses a line that is JSON but not an object', async () => {
    const error = await failure('{"id":1}\n[1,2]\n');
    expect(error.code).toBe('JSONL_BAD_LINE');
    expect(error.message).toContain('x.jsonl:2: expected a JSON object, got an array');
  });

  it('refuses a record without its key', async () => {
    const error = await failure('{"id":1}\n{"name":"no id"}\n');
    expect(error.code).toBe('JSONL_MISSING_KEY');
    expect(error.message).toContain("x.jsonl:2: the record has no 'id'");
  });

  it('holds one page at a time: 100k lines are pulled from the source only as pages are consumed', async () => {
    const total = 100_000;
    const pageSize = 1000;
    let produced = 0;
    // A lazy source: lines exist only once the reader pulls them, so `produced` shows how far the reader ran ahead.
    function* lines(): Generator<Buffer> {
      for (let i = 0; i < total; i += 100) {
        const chunk: string[] = [];
        for (let j = i; j < i + 100; j += 1) chunk.push(`{"id":${j},"name":"person ${j}"}\n`);
        produced += 100;
        yield Buffer.from(chunk.join(''));
      }
    }
    const source = Readable.from(lines(), { objectMode: false, highWaterMark: 16 * 1024 });
    let seen = 0;
    let maxAhead = 0;
    let maxPage = 0;
    for await (const page of readJsonlPages({ ...options, pageSize, source })) {
      maxAhead = Math.max(maxAhead, produced - seen);
      maxPage = Math.max(maxPage, page.records.length);
      seen += page.records.length;
    }
    expect(seen).toBe(total);
    expect(maxPage).toBe(pageSize);
    // At most the page being built, a chunk or two in flight and the stream's small buffer: never the file.
    expect(maxAhead).toBeLessThan(pageSize * 3);
  });
});
