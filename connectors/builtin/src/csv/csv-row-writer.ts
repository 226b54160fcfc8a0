import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { didYouMeanSuffix, FerryError, type ConnectorContext, type JsonRecord } from '@ferry/core';
import { fileError } from '../shared/file-errors.js';
import { isStringArray } from '../shared/is-string-array.js';
import type { FileEnd } from '../shared/file-appender.js';
import type { CsvSettings } from './csv-settings.js';

/** The header row of an existing file, or undefined when it holds no row yet. */
async function readHeaderRow(file: string, delimiter: string): Promise<string[] | undefined> {
  const parser = parse({ bom: true, to: 1, delimiter, skip_empty_lines: true });
  const rows: AsyncIterable<unknown> = pipeline(createReadStream(file), parser, () => undefined);
  try {
    for await (const row of rows) {
      if (isStringArray(row)) return row;
    }
  } catch (error) {
    throw fileError(error, file, 'read');
  }
  return undefined;
}

const cast = {
  boolean: (value: boolean): string => (value ? 'true' : 'false'),
  object: (value: Record<string, unknown>): string => JSON.stringify(value),
  date: (value: Date): string => value.toISOString(),
};

/**
 * Turns mapped records into CSV lines for one file. The columns are fixed by the first write: the existing header
 * row, the configured `header`, or (for a new file) the first record's fields; a record with a field outside them
 * is refused rather than silently dropped.
 */
export class CsvRowWriter {
  private columns: readonly string[] | undefined;

  constructor(
    private readonly file: string,
    private readonly settings: CsvSettings,
  ) {}

  async render(end: FileEnd, record: JsonRecord): Promise<string> {
    let headerLine = '';
    if (this.columns === undefined) {
      const existing = end.isNew ? undefined : (this.settings.header ?? (await readHeaderRow(this.file, this.settings.delimiter)));
      if (existing !== undefined) {
        this.columns = existing;
      } else {
        const typed = Object.keys(this.settings.columns).filter((column) => !(column in record));
        this.columns = this.settings.header ?? [...Object.keys(record), ...typed];
        if (this.settings.header === undefined) headerLine = this.line(this.columns);
      }
    }
    const columns = this.columns;
    for (const field of Object.keys(record)) {
      if (!columns.includes(field)) {
        throw new FerryError('CSV_UNKNOWN_COLUMN', `${this.file} has no column '${field}'${didYouMeanSuffix(field, columns)} (columns: ${columns.join(', ')})`, {
          hint: "map only the file's columns, or write to a new file (its header is taken from the first record)",
          // Every record of the run would fail the same way: stop instead of dead-lettering them all.
          details: { file: this.file, column: field, columns: [...columns], systemic: true },
        });
      }
    }
    return headerLine + this.line(columns.map((column) => record[column]));
  }

  private line(cells: readonly unknown[]): string {
    return stringify([cells], { delimiter: this.settings.delimiter, cast, record_delimiter: 'unix' });
  }
}

export function csvRowWriterFor(ctx: ConnectorContext, file: string, settings: CsvSettings): CsvRowWriter {
  const key = `builtin:csv-writer:${file}`;
  const cached = ctx.cache.get(key);
  if (cached instanceof CsvRowWriter) return cached;
  const writer = new CsvRowWriter(file, settings);
  ctx.cache.set(key, writer);
  return writer;
}
