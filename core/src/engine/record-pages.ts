import type { Page } from '../contract/connector.js';
import type { JsonRecord } from '../contract/json-schema.js';

/** Records handed in by a trigger or a replay, cut into pages as they are pulled (never all at once). */
export async function* recordPages(records: AsyncIterable<JsonRecord> | Iterable<JsonRecord>, pageSize = 100): AsyncGenerator<Page> {
  let chunk: JsonRecord[] = [];
  for await (const record of records) {
    chunk.push(record);
    if (chunk.length >= pageSize) {
      yield { records: chunk, state: {} };
      chunk = [];
    }
  }
  if (chunk.length > 0) yield { records: chunk, state: {} };
}
