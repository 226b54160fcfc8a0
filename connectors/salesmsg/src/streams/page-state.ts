import type { CheckpointState, JsonRecord, Page } from '@ferry/core';
import type { ListPage } from '../client/salesmsg-api.js';

/**
 * Reads numbered pages to the end, resuming after the page a checkpoint names. `scope` (e.g. the conversation
 * id) is part of the state: a checkpoint of another scope starts from the first page. Records already read in
 * this pass are skipped, so a list that shifts while it is read never yields a key twice.
 */
export async function* pagesFrom<R extends JsonRecord & { id: number }>(
  state: CheckpointState | undefined,
  scope: Readonly<Record<string, string | number>>,
  fetch: (page: number) => Promise<ListPage<R>>,
  pageSize: number,
): AsyncGenerator<Page<R>> {
  const sameScope = state !== undefined && Object.entries(scope).every(([key, value]) => state[key] === value);
  const done = sameScope && typeof state['page'] === 'number' && Number.isSafeInteger(state['page']) ? state['page'] : 0;
  const seen = new Set<number>();
  for (let page = done + 1; ; page += 1) {
    const { records, meta } = await fetch(page);
    const fresh = records.filter((record) => !seen.has(record.id));
    for (const record of fresh) seen.add(record.id);
    const total = page === 1 ? meta?.total : undefined;
    yield { records: fresh, state: { ...scope, page }, ...(total === undefined ? {} : { total }) };
    const last = meta?.lastPage !== undefined ? page >= meta.lastPage : records.length < (meta?.perPage ?? pageSize);
    if (records.length === 0 || last) return;
  }
}
