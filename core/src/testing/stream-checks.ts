import { isDeepStrictEqual } from 'node:util';
import type { CheckpointState, Page, StreamDef, SyncMode } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { JsonRecord } from '../contract/json-schema.js';
import { FerryError } from '../errors/ferry-error.js';
import { SchemaValidators } from './schema-validator.js';

export interface StreamReadOptions {
  readonly mode: SyncMode;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly state?: CheckpointState | undefined;
  /** Fail instead of reading forever (default 10,000 pages). */
  readonly maxPages?: number;
}

function conformanceFailure(message: string, hint: string): FerryError {
  return new FerryError('CONFORMANCE_FAILED', message, { hint });
}

/** Every page of one read of a stream, in order. */
export async function readAllPages(stream: StreamDef, ctx: ConnectorContext, options: StreamReadOptions): Promise<Page[]> {
  const maxPages = options.maxPages ?? 10_000;
  const pages: Page[] = [];
  for await (const page of stream.read(ctx, { mode: options.mode, state: options.state, params: options.params ?? {} })) {
    pages.push(page);
    if (pages.length > maxPages) {
      throw conformanceFailure(`stream '${stream.name}' did not end after ${maxPages} pages`, 'check that the last page ends the iteration (and that page states advance)');
    }
  }
  return pages;
}

/** A record's primary key as a comparable string, or undefined when it has none. */
export function recordKey(record: JsonRecord, primaryKey: string): string | undefined {
  const key = record[primaryKey];
  if (typeof key === 'string') return key === '' ? undefined : key;
  if (typeof key === 'number' && Number.isFinite(key)) return String(key);
  return undefined;
}

export interface PagingCheck {
  /** The stream as resolved for the context's config. */
  readonly stream: StreamDef;
  readonly mode: SyncMode;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly minRecords?: number;
  readonly validators?: SchemaValidators;
}

/**
 * Reads a stream to the end and checks every page: records valid against the record schema, primary keys present
 * and unique across pages, states that survive a JSON round trip (the store keeps them as JSON), sane totals.
 * Returns the pages for the resume check.
 */
export async function checkPaging(ctx: ConnectorContext, check: PagingCheck): Promise<Page[]> {
  const { stream } = check;
  const validators = check.validators ?? new SchemaValidators();
  const pages = await readAllPages(stream, ctx, { mode: check.mode, ...(check.params === undefined ? {} : { params: check.params }) });
  const seen = new Map<string, number>();
  let records = 0;
  for (const [index, page] of pages.entries()) {
    const where = `stream '${stream.name}' (${check.mode}) page ${index + 1}`;
    if (!Array.isArray(page.records)) throw conformanceFailure(`${where}: records is not an array`, 'yield { records: [...], state }');
    if (typeof page.state !== 'object' || page.state === null || !isDeepStrictEqual(JSON.parse(JSON.stringify(page.state)), page.state)) {
      throw conformanceFailure(`${where}: state does not survive a JSON round trip`, 'keep checkpoint states to plain JSON (strings, numbers, booleans, arrays, objects)');
    }
    if (page.total !== undefined && !(Number.isSafeInteger(page.total) && page.total >= 0)) {
      throw conformanceFailure(`${where}: total ${String(page.total)} is not a count`, 'leave total out when the API does not say');
    }
    for (const record of page.records) {
      records += 1;
      const key = recordKey(record, stream.primaryKey);
      if (key === undefined) {
        throw conformanceFailure(`${where}: a record has no primary key '${stream.primaryKey}'`, 'every record needs a non-empty string or number in its primary key field');
      }
      const problem = validators.problem(stream.schema, record);
      if (problem !== undefined) {
        throw conformanceFailure(`${where}: record ${key} does not match the record schema: ${problem}`, "fix the record or the stream's schema");
      }
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        throw conformanceFailure(`${where}: primary key ${key} was already read on page ${earlier}`, 'keys must be unique across the pages of one read (is a page read twice?)');
      }
      seen.set(key, index + 1);
    }
  }
  const minRecords = check.minRecords ?? 1;
  if (records < minRecords) {
    throw conformanceFailure(`stream '${stream.name}' (${check.mode}) yielded ${records} records, expected at least ${minRecords}`, 'give the fixture data to read (or lower minRecords)');
  }
  return pages;
}

function sortedKeys(pages: readonly Page[], primaryKey: string): string[] {
  return pages.flatMap((page) => page.records.map((record) => recordKey(record, primaryKey) ?? '')).sort();
}

function difference(left: readonly string[], right: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const key of right) counts.set(key, (counts.get(key) ?? 0) + 1);
  const missing: string[] = [];
  for (const key of left) {
    const count = counts.get(key) ?? 0;
    if (count === 0) missing.push(key);
    else counts.set(key, count - 1);
  }
  return missing;
}

/** Page indexes to resume from: all of them, or `max` spread evenly (always including the first and the last). */
export function resumePoints(pageCount: number, max: number): number[] {
  if (pageCount <= max) return [...Array(pageCount).keys()];
  const points = new Set<number>();
  for (let i = 0; i < max; i += 1) points.add(Math.round((i * (pageCount - 1)) / (max - 1)));
  return [...points];
}

export interface ResumeCheck extends PagingCheck {
  /** The pages of a complete read (from checkPaging). */
  readonly pages: readonly Page[];
  /** Resume from at most this many page states (default 25). */
  readonly maxChecks?: number;
}

/**
 * Resuming from each page's state must yield exactly the records after that page (compared by primary key):
 * nothing skipped, nothing read again. Returns how many resumes were checked.
 */
export async function checkResume(ctx: ConnectorContext, check: ResumeCheck): Promise<number> {
  const { stream, pages } = check;
  const points = resumePoints(pages.length, check.maxChecks ?? 25);
  for (const index of points) {
    const page = pages[index];
    if (page === undefined) continue;
    const resumed = await readAllPages(stream, ctx, {
      mode: check.mode,
      state: page.state,
      ...(check.params === undefined ? {} : { params: check.params }),
    });
    const expected = sortedKeys(pages.slice(index + 1), stream.primaryKey);
    const actual = sortedKeys(resumed, stream.primaryKey);
    if (!isDeepStrictEqual(expected, actual)) {
      const missing = difference(expected, actual).slice(0, 5);
      const extra = difference(actual, expected).slice(0, 5);
      throw conformanceFailure(
        `stream '${stream.name}' (${check.mode}) resumed from page ${index + 1}'s state gave ${actual.length} records, expected ${expected.length}` +
          `${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''}${extra.length > 0 ? `; unexpected ${extra.join(', ')}` : ''}`,
        "a page's state must point just past that page's last record: resuming must neither skip nor repeat records",
      );
    }
  }
  return points.length;
}
