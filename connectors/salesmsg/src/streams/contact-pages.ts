import { isHttpError, type ConnectorContext } from '@ferry/core';
import { CONTACT_SORT } from '../api-table.js';
import { salesmsgApi, type ListPage } from '../client/salesmsg-api.js';
import type { ContactsRoute } from '../connection-settings.js';
import type { ContactRecord } from '../records/contact.js';
import type { ContactPageSource } from './contact-scan.js';

/** ctx.cache key: the list route this run settled on. */
const ROUTE_KEY = 'salesmsg:contacts-route';

export interface ContactPagesOptions {
  readonly route: ContactsRoute;
  readonly pageSize: number;
  readonly search?: string;
  /** Only the deprecated route can filter on created_at. */
  readonly createdAfter?: string;
}

/**
 * The contacts, updated_at ascending, from the route the connection can use. `POST /contacts/list` is the
 * current route but its scope is contacts:write (sic), which a read-only token lacks; in `auto` the first refusal
 * for a missing scope switches the run to `GET /contacts` (same order, same pages, a read scope suffices) and the
 * choice is kept for the rest of the run in ctx.cache.
 */
export function contactPages(ctx: ConnectorContext, options: ContactPagesOptions): ContactPageSource {
  const api = salesmsgApi(ctx.http);
  const sort = { sortBy: CONTACT_SORT.updatedAt, sortOrder: CONTACT_SORT.ascending } as const;
  const common = { pageSize: options.pageSize, ...sort, ...(options.search === undefined ? {} : { search: options.search }) };
  const legacy = (page: number): Promise<ListPage<ContactRecord>> =>
    api.listContactsLegacy({ ...common, page, ...(options.createdAfter === undefined ? {} : { createdAfter: options.createdAfter }) }, ctx.signal);
  const list = (page: number): Promise<ListPage<ContactRecord>> => api.listContacts({ ...common, page }, ctx.signal);

  return {
    pageSize: options.pageSize,
    async fetch(page) {
      if (options.createdAfter !== undefined || options.route === 'legacy' || ctx.cache.get(ROUTE_KEY) === 'legacy') return legacy(page);
      if (options.route === 'list') return list(page);
      try {
        return await list(page);
      } catch (error) {
        if (!isHttpError(error) || error.code !== 'HTTP_MISSING_SCOPE') throw error;
        ctx.cache.set(ROUTE_KEY, 'legacy');
        ctx.log.info({ route: 'GET /contacts' }, 'the token may not use POST /contacts/list (contacts:write): listing contacts with GET /contacts');
        return legacy(page);
      }
    },
  };
}
