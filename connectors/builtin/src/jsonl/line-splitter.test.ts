import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, type Line } from './line-splitter.js';

function splitAll(chunks: readonly Buffer[], start = { offset: 0, line: 0 }): Line[] {
  const splitter = new LineSplitter(start);
  const lines = chunks.flatMap((chunk) => splitter.push(chunk));
  const last = splitter.end();
  return last === undefined ? lines : [...lines, last];
}

function cut(buffer: Buffer, points: readonly number[]): Buffer[] {
  const sorted = [...new Set(points.map((p) => p % (buffer.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of sorted) {
    chunks.push(buffer.subarray(from, point));
    from = point;
  }
  chunks.push(buffer.subarray(from));
  return chunks;
}

describe('LineSplitter', () => {
  it('gives each line with its number and the byte offset just past its newline', () => {
    const lines = splitAll([Buffer.from('ab\nü'), Buffer.from('x\r\n\nlast')]);
    expect(lines).toEqual([
      { text: 'ab', number: 1, end: 3 },
      { text: 'üx\r', number: 2, end: 8 },
      { text: '', number: 3, end: 9 },
      { text: 'last', number: 4, end: 13 },
    ]);
  });

  it('continues numbering and offsets from where a resumed read starts', () => {
    expect(splitAll([Buffer.from('a\nb\n')], { offset: 100, line: 7 })).toEqual([
      { text: 'a', number: 8, end: 102 },
      { text: 'b', number: 9, end: 104 },
    ]);
  });

  it('finds the same lines and offsets however the bytes are chunked (multi-byte characters split included)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme' }).map((s) => s.replaceAll('\n', '')), { maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (texts, trailingNewline, points) => {
          const content = texts.join('\n') + (trailingNewline && texts.length > 0 ? '\n' : '');
          const buffer = Buffer.from(content);
          const lines = splitAll(cut(buffer, points));
          const expected = content === '' ? [] : content.endsWith('\n') ? content.slice(0, -1).split('\n') : content.split('\n');
          expect(lines.map((line) => line.text)).toEqual(expected);
          let offset = 0;
          for (const [index, line] of lines.entries()) {
            offset += Buffer.byteLength(expected[index] ?? '') + (offset + Buffer.byteLength(expected[index] ?? '') < buffer.length ? 1 : 0);
            expect(line.end).toBe(offset);
            expect(line.number).toBe(index + 1);
          }
          expect(lines.at(-1)?.end ?? 0).toBe(buffer.length);
        },
      ),
    );
  });
});
