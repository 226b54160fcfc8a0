import { FerryError, type JsonRecord } from '@ferry/core';
import { LineSplitter, type Line, type LinePosition } from './line-splitter.js';

export interface JsonlReadOptions {
  /** Absolute path, for messages. */
  readonly file: string;
  /** The file's bytes from `start.offset` on (a read stream opened there). */
  readonly source: AsyncIterable<Buffer>;
  readonly start: LinePosition;
  readonly pageSize: number;
  readonly primaryKey: string;
}

export interface JsonlPage {
  readonly records: JsonRecord[];
  /** Position just after the page's last line: where a resume starts. */
  readonly end: LinePosition;
}

const BYTE_ORDER_MARK = '\uFEFF';

function parseLine(line: Line, file: string, primaryKey: string, atFileStart: boolean): JsonRecord | undefined {
  const text = atFileStart && line.text.startsWith(BYTE_ORDER_MARK) ? line.text.slice(1) : line.text;
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FerryError('JSONL_BAD_LINE', `${file}:${line.number}: not valid JSON (${(error as Error).message})`, {
      hint: 'each line must hold one JSON object; fix or remove that line, then run again (the run resumes there)',
      details: { file, line: line.number },
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FerryError('JSONL_BAD_LINE', `${file}:${line.number}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'null' : `a ${typeof value}`}`, {
      hint: 'each line must hold one JSON object ({...}); fix or remove that line',
      details: { file, line: line.number },
    });
  }
  const record = value as JsonRecord;
  const key = record[primaryKey];
  if (typeof key !== 'string' && typeof key !== 'number') {
    throw new FerryError('JSONL_MISSING_KEY', `${file}:${line.number}: the record has no '${primaryKey}' (string or number)`, {
      hint: `every record needs its key field; set \`primaryKey:\` in the connection's config to a field every line has`,
      details: { file, line: line.number, primaryKey },
    });
  }
  return record;
}

/**
 * Reads JSON Lines in pages without holding more than one page (plus one read chunk) in memory: the source is
 * pulled only when the consumer asks for the next page.
 */
export async function* readJsonlPages(options: JsonlReadOptions): AsyncGenerator<JsonlPage> {
  const { file, pageSize, primaryKey } = options;
  const splitter = new LineSplitter(options.start);
  let records: JsonRecord[] = [];
  let lastEnd: LinePosition = options.start;
  let yieldedEnd: LinePosition = options.start;
  let atFileStart = options.start.offset === 0;

  const accept = (line: Line): boolean => {
    const record = parseLine(line, file, primaryKey, atFileStart);
    atFileStart = false;
    lastEnd = { offset: line.end, line: line.number };
    if (record !== undefined) records.push(record);
    return records.length >= pageSize;
  };

  for await (const chunk of options.source) {
    for (const line of splitter.push(chunk)) {
      if (accept(line)) {
        yield { records, end: lastEnd };
        yieldedEnd = lastEnd;
        records = [];
      }
    }
  }
  const last = splitter.end();
  if (last !== undefined) accept(last);
  // The last page may hold only blank lines: it is still emitted so the checkpoint moves past them.
  if (records.length > 0 || lastEnd.offset !== yieldedEnd.offset) yield { records, end: lastEnd };
}
