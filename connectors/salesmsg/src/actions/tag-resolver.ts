import { isHttpError, type ConnectorContext } from '@ferry/core';
import { salesmsgApi } from '../client/salesmsg-api.js';
import type { TagRecord } from '../records/tag.js';

const PAGE_SIZE = 100;
/** Failures after which a create may or may not have happened: look again before failing. */
const AMBIGUOUS = new Set(['HTTP_TIMEOUT', 'HTTP_NETWORK', 'HTTP_SERVER', 'HTTP_MALFORMED_RESPONSE']);

function normal(label: string): string {
  return label.trim().toLowerCase();
}

function cacheKey(label: string): string {
  return `salesmsg:tag:${normal(label)}`;
}

/** The tag with exactly this label (case-insensitive): GET /tags?search= is a substring search, so filter. */
async function findTag(ctx: ConnectorContext, label: string): Promise<TagRecord | undefined> {
  const api = salesmsgApi(ctx.http);
  const wanted = normal(label);
  for (let page = 1; ; page += 1) {
    const { records, meta } = await api.listTags({ page, pageSize: PAGE_SIZE, search: label.trim() }, ctx.signal);
    const exact = records.find((tag) => tag.label !== null && tag.label === label.trim()) ?? records.find((tag) => normal(tag.label ?? tag.name ?? '') === wanted);
    if (exact !== undefined) return exact;
    const last = meta?.lastPage !== undefined ? page >= meta.lastPage : records.length < PAGE_SIZE;
    if (records.length === 0 || last) return undefined;
  }
}

async function createTag(ctx: ConnectorContext, label: string): Promise<TagRecord> {
  try {
    return await salesmsgApi(ctx.http).createTag(label.trim(), ctx.signal);
  } catch (error) {
    // Someone else made it meanwhile (422 "already taken"), or the answer was lost: it may exist now.
    if (!isHttpError(error) || (error.code !== 'HTTP_VALIDATION' && !AMBIGUOUS.has(error.code))) throw error;
    const existing = await findTag(ctx, label);
    if (existing === undefined) throw error;
    return existing;
  }
}

/**
 * The id of the tag with this label, or undefined when there is none and `create` is false. Contacts are tagged
 * by id, pipelines name tags by label: the id is looked up (and the tag created when missing) once per label and
 * run — the promise sits in ctx.cache, so concurrent records asking for one new label create it once.
 */
export function resolveTagId(ctx: ConnectorContext, label: string, create: boolean): Promise<number | undefined> {
  const key = cacheKey(label);
  const cached = ctx.cache.get(key) as Promise<number | undefined> | undefined;
  if (cached !== undefined) {
    return cached.then(async (id) => (id !== undefined || !create ? id : resolveAfterMiss(ctx, label, cached)));
  }
  const lookup = (async () => {
    const found = await findTag(ctx, label);
    if (found !== undefined) return found.id;
    return create ? (await createTag(ctx, label)).id : undefined;
  })();
  ctx.cache.set(key, lookup);
  // A failed look-up is not remembered: the next record tries again.
  lookup.catch(() => ctx.cache.delete(key));
  return lookup;
}

/** A label cached as missing (by an untag) that a tag action now needs: create it, once. */
function resolveAfterMiss(ctx: ConnectorContext, label: string, stale: Promise<number | undefined>): Promise<number | undefined> {
  // Only the first caller drops the stale entry; the others then wait for its look-up.
  if (ctx.cache.get(cacheKey(label)) === stale) ctx.cache.delete(cacheKey(label));
  return resolveTagId(ctx, label, true);
}
