import { defineStream, type CheckpointState, type JsonRecord, type Page } from '@ferry/core';
import type { SearchFilter } from '../client/client-types.js';
import { clientOf, readConfig } from '../config.js';
import { CONTACT_RECORD_SCHEMA, type GhlContact } from '../records/contact-record.js';
import { operationById, READ_SCOPE } from '../spec/operations.js';

/**
 * Where a contacts read stands. Mid-read: `after` (the last contact's searchAfter) and the read's lower bound
 * `since`. Always: the highest dateUpdated read (`watermark`) and `recent`, the ids read within the overlap
 * window before it with their dateUpdated, so that the next read can start early (the search index lags) and
 * still skip what it already delivered.
 */
interface ContactsState {
  /** The read got to the end (a full read resumed from here has nothing left). */
  readonly complete?: boolean;
  readonly after?: readonly (string | number)[];
  readonly since?: number;
  readonly watermark?: number;
  readonly recent?: Readonly<Record<string, number>>;
}

function readState(state: CheckpointState | undefined): ContactsState {
  if (state === undefined) return {};
  const after = Array.isArray(state['after']) ? (state['after'] as (string | number)[]) : undefined;
  const since = typeof state['since'] === 'number' ? state['since'] : undefined;
  const watermark = typeof state['watermark'] === 'number' ? state['watermark'] : undefined;
  const recentRaw = state['recent'];
  const recent: Record<string, number> = {};
  if (typeof recentRaw === 'object' && recentRaw !== null && !Array.isArray(recentRaw)) {
    for (const [id, ms] of Object.entries(recentRaw)) if (typeof ms === 'number') recent[id] = ms;
  }
  return {
    ...(state['complete'] === true ? { complete: true } : {}),
    ...(after === undefined ? {} : { after }),
    ...(since === undefined ? {} : { since }),
    ...(watermark === undefined ? {} : { watermark }),
    recent,
  };
}

function paramFilters(params: Readonly<Record<string, unknown>>): SearchFilter[] {
  const filters = params['filters'];
  return Array.isArray(filters) ? (filters as SearchFilter[]) : [];
}

const search = operationById('search-contacts-advanced');

/**
 * Every contact of the location through POST /contacts/search, sorted by dateUpdated and paged with
 * searchAfter (which, unlike `page`, goes past 10,000 records). A full read ends where incremental reads go on:
 * they ask for dateUpdated >= watermark − overlap and drop what they already delivered.
 */
export const contactsStream = defineStream<GhlContact>({
  name: 'contacts',
  description: 'All contacts of the location (POST /contacts/search, searchAfter paging); incremental on dateUpdated',
  schema: CONTACT_RECORD_SCHEMA,
  primaryKey: 'id',
  cursorField: 'dateUpdated',
  syncModes: ['full', 'incremental'],
  scope: READ_SCOPE,
  http: { method: search.method, path: search.path },
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      query: { type: 'string', maxLength: 75, description: 'Free-text search (name, email, phone, company)' },
      filters: { type: 'array', items: { type: 'object' }, description: 'Search filters: {field, operator, value} or {group, filters}' },
    },
  },
  async *read(ctx, request): AsyncGenerator<Page<GhlContact>> {
    const client = clientOf(ctx);
    const config = readConfig(ctx.config, ctx.account);
    const overlapMs = config.incrementalOverlapSeconds * 1000;
    const state = readState(request.state);
    // A finished full read has nothing after its end; an incremental read goes on from there.
    if (request.mode === 'full' && state.complete === true) return;
    const resuming = state.after !== undefined;
    const since = resuming ? state.since : request.mode === 'incremental' && state.watermark !== undefined ? state.watermark - overlapMs : undefined;
    let after = state.after;
    let watermark = request.mode === 'incremental' || resuming ? state.watermark : undefined;
    const recent = new Map<string, number>(request.mode === 'incremental' || resuming ? Object.entries(state.recent ?? {}) : []);
    const filters: SearchFilter[] = [...paramFilters(request.params)];
    if (since !== undefined) filters.push({ field: 'dateUpdated', operator: 'range', value: { gte: new Date(since).toISOString() } });
    const query = typeof request.params['query'] === 'string' ? request.params['query'] : undefined;

    for (;;) {
      const page = await client.searchPage({
        filters,
        sort: [{ field: 'dateUpdated', direction: 'asc' }],
        pageLimit: config.searchPageLimit,
        ...(query === undefined ? {} : { query }),
        ...(after === undefined ? {} : { searchAfter: after }),
      });
      const records: GhlContact[] = [];
      for (const contact of page.contacts) {
        const updated = Date.parse(contact.dateUpdated ?? contact.dateAdded ?? '');
        const updatedMs = Number.isNaN(updated) ? 0 : updated;
        const seen = recent.get(contact.id);
        if (seen !== undefined && seen >= updatedMs) continue;
        records.push(contact);
        recent.set(contact.id, updatedMs);
        watermark = Math.max(watermark ?? updatedMs, updatedMs);
      }
      if (watermark !== undefined) for (const [id, ms] of recent) if (ms < watermark - overlapMs) recent.delete(id);
      const lastCursor = page.cursors.at(-1);
      const more = page.contacts.length >= config.searchPageLimit && lastCursor !== undefined;
      after = more ? lastCursor : undefined;
      const next: JsonRecord = {
        ...(after === undefined ? { complete: true } : { after: [...after] }),
        ...(after !== undefined && since !== undefined ? { since } : {}),
        ...(watermark === undefined ? {} : { watermark }),
        recent: Object.fromEntries(recent),
      };
      yield { records, state: next, ...(page.total === undefined ? {} : { total: page.total }) };
      if (!more) return;
    }
  },
});
