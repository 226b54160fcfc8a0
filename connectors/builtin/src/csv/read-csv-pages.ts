import { pipeline, type Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { didYouMeanSuffix, FerryError, type JsonRecord } from '@ferry/core';
import { castCsvValue } from './cast-csv-value.js';
import type { CsvColumnType } from './csv-settings.js';

export interface CsvReadOptions {
  /** Absolute path, for messages. */
  readonly file: string;
  /** The file's bytes from `startOffset` on (a read stream opened there). */
  readonly source: Readable;
  readonly startOffset: number;
  /** Column names; undefined when the first row read is the header (a read from the start of the file). */
  readonly header: readonly string[] | undefined;
  readonly delimiter: string;
  readonly trim: boolean;
  readonly pageSize: number;
  readonly primaryKey: string;
  readonly columnTypes: Readonly<Record<string, CsvColumnType>>;
  /** 1-based line of the byte at an offset (only computed for error messages). */
  lineAt(offset: number): Promise<number>;
}

export interface CsvPage {
  readonly records: JsonRecord[];
  /** Byte offset of the next record's start: where a resume re-opens the file. */
  readonly offset: number;
  readonly header: readonly string[];
}

interface ParsedRow {
  readonly record: Record<string, string>;
  readonly info: { readonly bytes: number };
}

function isParsedRow(value: unknown): value is ParsedRow {
  if (typeof value !== 'object' || value === null || !('record' in value) || !('info' in value)) return false;
  const { info } = value;
  return typeof info === 'object' && info !== null && 'bytes' in info && typeof info.bytes === 'number';
}

function headerProblem(file: string, header: readonly string[], options: CsvReadOptions): FerryError | undefined {
  const seen = new Set<string>();
  for (const [index, name] of header.entries()) {
    if (name.trim() === '') {
      return new FerryError('CSV_BAD_HEADER', `${file}:1: column ${index + 1} of the header row has no name`, {
        hint: 'name every column in the first row, or set `header:` in the connection config if the file has no header row',
        details: { file, column: index + 1 },
      });
    }
    if (seen.has(name)) {
      return new FerryError('CSV_BAD_HEADER', `${file}:1: the header names column '${name}' twice`, {
        hint: 'give each column a distinct name in the first row (or set `header:` in the connection config)',
        details: { file, column: name },
      });
    }
    seen.add(name);
  }
  if (!seen.has(options.primaryKey)) {
    return new FerryError('CSV_MISSING_KEY_COLUMN', `${file}: no column '${options.primaryKey}' to use as the primary key${didYouMeanSuffix(options.primaryKey, header)}`, {
      hint: `set \`primaryKey:\` in the connection config to one of: ${header.join(', ')}`,
      details: { file, primaryKey: options.primaryKey, columns: [...header] },
    });
  }
  for (const column of Object.keys(options.columnTypes)) {
    if (!seen.has(column)) {
      return new FerryError('CSV_UNKNOWN_COLUMN', `${file}: \`columns\` types '${column}', which is not a column of the file${didYouMeanSuffix(column, header)}`, {
        hint: `use the column names of the header row: ${header.join(', ')}`,
        details: { file, column, columns: [...header] },
      });
    }
  }
  return undefined;
}

/** Without the parser's own line reference, which counts from where this read started, not from the file start. */
function reasonOf(error: CsvError): string {
  return error.message.replace(/,? (?:at|on) line \d+/g, '');
}

/**
 * Reads CSV rows in pages with csv-parse, holding one page at a time: the parser (and the file under it) is pulled
 * only when the consumer asks for the next page. Each page's offset is csv-parse's byte count after the page's last
 * record, so a resume opens the file exactly at the next record, even when quoted fields contain newlines.
 */
export async function* readCsvPages(options: CsvReadOptions): AsyncGenerator<CsvPage> {
  const { file, startOffset, primaryKey, columnTypes, pageSize } = options;
  let header = options.header;
  // Start of the record being read: the error messages' line numbers are computed from it.
  let recordStart = startOffset;
  const parser = parse({
    columns:
      header !== undefined
        ? [...header]
        : (row: string[]) => {
            header = row;
            recordStart = startOffset + parser.info.bytes;
            return row;
          },
    bom: startOffset === 0,
    info: true,
    skip_empty_lines: true,
    relax_quotes: false,
    delimiter: options.delimiter,
    trim: options.trim,
  });
  // Errors of the file stream reach the loop through the parser; the callback only keeps them from escaping twice.
  const rows: AsyncIterable<unknown> = pipeline(options.source, parser, () => undefined);
  const typed = Object.entries(columnTypes).filter(([, type]) => type !== 'string');
  let headerChecked = false;
  let records: JsonRecord[] = [];

  const checkHeader = (): void => {
    if (headerChecked || header === undefined) return;
    const problem = headerProblem(file, header, options);
    if (problem !== undefined) throw problem;
    headerChecked = true;
  };

  const badValue = async (column: string, cell: string, expected: string): Promise<FerryError> => {
    const line = await options.lineAt(recordStart);
    return new FerryError('CSV_BAD_VALUE', `${file}:${line}: column '${column}' should be ${expected}, got '${cell}'`, {
      hint: `fix the value in the file, or change the column's type under \`columns:\` in the connection config`,
      details: { file, line, column },
    });
  };

  try {
    for await (const row of rows) {
      if (!isParsedRow(row)) continue;
      checkHeader();
      const record: JsonRecord = row.record;
      for (const [column, type] of typed) {
        const cell = row.record[column] ?? '';
        const cast = castCsvValue(cell, type);
        if (!cast.ok) throw await badValue(column, cell, cast.expected);
        record[column] = cast.value;
      }
      const key = record[primaryKey];
      if (key === null || key === '' || key === undefined) {
        const line = await options.lineAt(recordStart);
        throw new FerryError('CSV_MISSING_KEY', `${file}:${line}: the row has no value in key column '${primaryKey}'`, {
          hint: `every row needs a value in '${primaryKey}'; fill it in, or set \`primaryKey:\` to a column every row has`,
          details: { file, line, primaryKey },
        });
      }
      records.push(record);
      recordStart = startOffset + row.info.bytes;
      if (records.length >= pageSize) {
        yield { records, offset: recordStart, header: header ?? [] };
        records = [];
      }
    }
    checkHeader();
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (await options.lineAt(startOffset)) - 1 + (typeof error.lines === 'number' ? error.lines : 1);
    throw new FerryError('CSV_BAD_RECORD', `${file}:${line}: ${reasonOf(error)}`, {
      hint: 'fix the row in the file (quotes must be doubled inside quoted fields; every row needs as many fields as the header), then run again: the run resumes there',
      details: { file, line, csvCode: error.code },
      cause: error,
    });
  }
  if (records.length > 0) yield { records, offset: recordStart, header: header ?? [] };
}
