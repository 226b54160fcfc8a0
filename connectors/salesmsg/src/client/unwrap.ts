import type { Unwrap } from '../api-table.js';
import { isRecord, unexpectedResponse } from '../records/values.js';

/** What a Laravel paginator says about the page it served (absent fields stay undefined). */
export interface PageMeta {
  readonly currentPage: number | undefined;
  readonly lastPage: number | undefined;
  readonly perPage: number | undefined;
  readonly total: number | undefined;
}

export interface Listing {
  readonly items: readonly unknown[];
  readonly meta: PageMeta | undefined;
}

function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function metaOf(raw: unknown): PageMeta | undefined {
  if (!isRecord(raw)) return undefined;
  return {
    currentPage: count(raw['current_page']),
    lastPage: count(raw['last_page']),
    perPage: count(raw['per_page']),
    total: count(raw['total']),
  };
}

/** The records of a list answer, read as the API table says it is shaped. */
export function unwrapList(body: unknown, unwrap: Unwrap, what: string): Listing {
  switch (unwrap) {
    case 'array':
      if (Array.isArray(body)) return { items: body, meta: undefined };
      // Tolerate the paginator shape too: several routes moved to it between versions.
      if (isRecord(body) && Array.isArray(body['data'])) return { items: body['data'], meta: metaOf(body['meta']) };
      throw unexpectedResponse(what, 'expected a JSON array');
    case 'data+meta':
      if (isRecord(body) && Array.isArray(body['data'])) {
        // Laravel resources nest meta; bare paginators put its fields next to data.
        return { items: body['data'], meta: metaOf(body['meta']) ?? metaOf(body) };
      }
      if (Array.isArray(body)) return { items: body, meta: undefined };
      throw unexpectedResponse(what, 'expected {data: [...], meta}');
    case 'results':
      if (isRecord(body) && Array.isArray(body['results'])) return { items: body['results'], meta: undefined };
      if (isRecord(body) && Array.isArray(body['data'])) return { items: body['data'], meta: undefined };
      if (Array.isArray(body)) return { items: body, meta: undefined };
      throw unexpectedResponse(what, 'expected {results: [...]}');
    case 'object':
    case 'none':
      throw unexpectedResponse(what, `the API table says '${unwrap}', not a list`);
  }
}

/** The object of a single-object answer (a `{data: {...}}` wrapper without an id of its own is unwrapped). */
export function unwrapObject(body: unknown, what: string): Record<string, unknown> {
  if (isRecord(body)) {
    const data = body['data'];
    return body['id'] === undefined && isRecord(data) ? data : body;
  }
  throw unexpectedResponse(what, 'expected a JSON object');
}
