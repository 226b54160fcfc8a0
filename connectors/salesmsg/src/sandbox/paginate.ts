import type { JsonRecord } from '@ferry/core';
import { fail, validationReply } from './replies.js';

/** Reads an integer parameter the way Laravel's validator does: absent → fallback, garbage → 422. */
export function integerParam(raw: unknown, name: string, fallback: number, min = 0): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value)) fail(validationReply({ [name]: [`The ${name} must be an integer.`] }));
  if (value < min) fail(validationReply({ [name]: [`The ${name} must be at least ${min}.`] }));
  return value;
}

export interface PageRequest {
  readonly page: number;
  readonly perPage: number;
  readonly maxPerPage: number;
  /** URL path for the `links` and `meta.path`. */
  readonly path: string;
}

/**
 * One page of a Laravel paginator: `{data, links, meta}`. Pages below 1 are read as 1 (as Laravel does); the page
 * size is clamped to `maxPerPage` and `meta.per_page` says what was served. Only the page's items are viewed.
 */
export function paginate<T>(items: readonly T[], request: PageRequest, view: (item: T) => JsonRecord): JsonRecord {
  const size = Math.min(Math.max(1, request.perPage), request.maxPerPage);
  const current = Math.max(1, request.page);
  const total = items.length;
  const lastPage = Math.max(1, Math.ceil(total / size));
  const start = (current - 1) * size;
  const data = items.slice(start, start + size).map(view);
  const link = (n: number): string => `${request.path}?page=${n}`;
  return {
    data,
    links: {
      first: link(1),
      last: link(lastPage),
      prev: current > 1 ? link(current - 1) : null,
      next: current < lastPage ? link(current + 1) : null,
    },
    meta: {
      current_page: current,
      from: data.length === 0 ? null : start + 1,
      last_page: lastPage,
      path: request.path,
      per_page: size,
      to: data.length === 0 ? null : start + data.length,
      total,
    },
  };
}
