import type { CheckpointState, Logger, Page } from '@ferry/core';
import type { ListPage } from '../client/salesmsg-api.js';
import { apiTimeMs, isoTime } from '../records/api-time.js';
import type { ContactRecord } from '../records/contact.js';
import { decodeScanState, encodeScanState, type ContactScanState } from './contact-scan-state.js';

/** Pages of contacts sorted by updated_at ascending (page numbers from 1). */
export interface ContactPageSource {
  readonly pageSize: number;
  fetch(page: number): Promise<ListPage<ContactRecord>>;
}

export interface ContactScanOptions {
  readonly state: CheckpointState | undefined;
  /** How far below the watermark a resumed read looks again (late writes). */
  readonly overlapMs: number;
  readonly log: Logger;
  /** Most ids kept in the checkpoint for the overlap window (default 5,000): beyond, old ones may be re-read. */
  readonly maxRecent?: number;
  /** Re-reads after contacts moved during a read (default 2). */
  readonly maxRescans?: number;
}

interface Fetched {
  readonly page: number;
  readonly listing: ListPage<ContactRecord>;
}

const NEVER = Number.NEGATIVE_INFINITY;

/**
 * Reads every contact in updated_at order, page by page, and resumes from a checkpoint without losing records
 * although the list moves under it. The API pages by number only, and a contact updated during a read jumps to
 * the end of the list, shifting every later one a place back (one contact slips behind the cursor); a deleted one
 * does the same. So:
 * - a resumed read starts at the checkpoint's page and steps back while that page could still hold records of
 *   the overlap window (`watermark - overlap`), then skips what the checkpoint says it delivered (id and
 *   updated_at) — late-arriving records within the window are delivered, nothing is delivered twice;
 * - when the total drops between two pages (deletions), the previous page is read again;
 * - a contact delivered earlier in this read that comes back with a newer updated_at proves a shift: once the end
 *   is reached, the range from where it was is read again (deduplicated), at most `maxRescans` times.
 * An older contact updated during an incremental read can still hide one other; the next incremental read
 * catches it when the read took less than the overlap window.
 */
export async function* scanContacts(source: ContactPageSource, options: ContactScanOptions): AsyncGenerator<Page<ContactRecord>> {
  const prior = decodeScanState(options.state);
  const maxRecent = options.maxRecent ?? 5_000;
  const maxRescans = options.maxRescans ?? 2;
  let watermark = prior?.watermarkMs;
  const recent = new Map(prior?.recent ?? []);
  let rescanFrom = prior?.rescanFromMs;
  let floor = prior === undefined || watermark === undefined ? NEVER : watermark - options.overlapMs;
  if (rescanFrom !== undefined) floor = Math.min(floor, rescanFrom);
  const delivered = new Map<number, { readonly at: number | undefined; readonly page: number }>();
  let lastState: ContactScanState | undefined;
  let totalToSay = prior === undefined;

  function pruneRecent(): void {
    if (watermark === undefined) return;
    const from = watermark - options.overlapMs;
    for (const [id, at] of recent) if (at < from) recent.delete(id);
    if (recent.size <= maxRecent) return;
    // Keep the newest: older ones dropped here are only re-delivered, never skipped.
    const keep = [...recent].sort((a, b) => b[1] - a[1]).slice(0, maxRecent);
    recent.clear();
    for (const [id, at] of keep) recent.set(id, at);
  }

  /** One pass from `startPage`; returns where contacts moved during it (if they did). */
  async function* pass(startPage: number, passFloor: number): AsyncGenerator<Page<ContactRecord>, { fromMs: number; page: number } | undefined> {
    let shifted: { fromMs: number; page: number } | undefined;

    const deliver = (fetched: Fetched): Page<ContactRecord> => {
      const out: ContactRecord[] = [];
      for (const record of fetched.listing.records) {
        const at = apiTimeMs(record.updated_at);
        if (at !== undefined && at < passFloor) continue;
        if (at !== undefined && recent.get(record.id) === at) continue;
        const earlier = delivered.get(record.id);
        if (earlier !== undefined) {
          if (earlier.at === at) continue;
          if (earlier.at !== undefined) {
            // It moved to the end while we read: everything after its old place slid back one.
            shifted = { fromMs: Math.min(shifted?.fromMs ?? earlier.at, earlier.at), page: Math.min(shifted?.page ?? earlier.page, earlier.page) };
          }
        }
        out.push(record);
        delivered.set(record.id, { at, page: fetched.page });
        if (at !== undefined) {
          recent.set(record.id, at);
          if (watermark === undefined || at > watermark) watermark = at;
        }
      }
      pruneRecent();
      lastState = { watermarkMs: watermark, recent: new Map(recent), page: fetched.page, rescanFromMs: rescanFrom };
      const total = totalToSay ? fetched.listing.meta?.total : undefined;
      totalToSay = false;
      return { records: out, state: encodeScanState(lastState), ...(total === undefined ? {} : { total }) };
    };

    const isLast = (fetched: Fetched): boolean => {
      const { records, meta } = fetched.listing;
      if (records.length === 0) return true;
      if (meta?.lastPage !== undefined) return fetched.page >= meta.lastPage;
      return records.length < (meta?.perPage ?? source.pageSize);
    };

    // Locate: the first page to read is one that starts below the floor (or the first page).
    const located: Fetched[] = [];
    let page = Math.max(1, startPage);
    for (;;) {
      const listing = await source.fetch(page);
      const lastPage = listing.meta?.lastPage;
      if (listing.records.length === 0 && page > 1) {
        // Past the end (contacts were deleted since the checkpoint): go to the last page.
        page = lastPage !== undefined && lastPage >= 1 && lastPage < page ? lastPage : page - 1;
        continue;
      }
      located.unshift({ page, listing });
      const first = listing.records[0];
      const firstAt = first === undefined ? undefined : apiTimeMs(first.updated_at);
      if (page <= 1 || passFloor === NEVER || firstAt === undefined || firstAt < passFloor) break;
      page -= 1;
    }
    for (const fetched of located) yield deliver(fetched);

    let last = located[located.length - 1];
    while (last !== undefined && !isLast(last)) {
      const next: Fetched = { page: last.page + 1, listing: await source.fetch(last.page + 1) };
      const before = last.listing.meta?.total;
      const now = next.listing.meta?.total;
      if (before !== undefined && now !== undefined && now < before) {
        // Deleted contacts slid the rest back: what was at the top of this page may now end the previous one.
        yield deliver({ page: last.page, listing: await source.fetch(last.page) });
      }
      yield deliver(next);
      last = next;
    }
    return shifted;
  }

  let start = prior?.page ?? 1;
  let passFloor = floor;
  for (let rescans = 0; ; rescans += 1) {
    const shifted = yield* pass(start, passFloor);
    if (shifted === undefined) break;
    if (rescans >= maxRescans) {
      options.log.warn(
        { movedSince: isoTime(shifted.fromMs) },
        'contacts kept changing while they were read: some may only arrive with the next read (run it again, or with --full)',
      );
      break;
    }
    options.log.info({ from: isoTime(shifted.fromMs), page: shifted.page }, 'contacts moved during the read: reading the range again');
    rescanFrom = shifted.fromMs;
    passFloor = shifted.fromMs;
    start = shifted.page;
  }
  if (rescanFrom !== undefined && lastState !== undefined) {
    // The range is covered: the checkpoint no longer needs to look back that far.
    lastState = { ...lastState, rescanFromMs: undefined };
    yield { records: [], state: encodeScanState(lastState) };
  }
}
