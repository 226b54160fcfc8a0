import type { HttpMethod } from '@ferry/core';

/**
 * Every fact about the Salesmsg public API that this connector relies on, in one place. No OpenAPI file is at
 * hand (see /work/shared/apis/salesmsg/FACTS.md): rows marked `verified: false` rest on one third party or on
 * inference. Correcting a fact is a change to one row here plus its test; the client, the streams, the actions
 * and the sandbox all read this table.
 */

/** Where an operation's parameters go. */
export type ParamsIn = 'none' | 'query' | 'json';

/** How a response carries what the caller wants. */
export type Unwrap =
  /** The object itself (a `{data: {...}}` wrapper is tolerated). */
  | 'object'
  /** Laravel paginator: `{data: [...], meta: {current_page, last_page, per_page, total, from, to}}`. */
  | 'data+meta'
  /** A bare JSON array. */
  | 'array'
  /** `{results: [...]}`. */
  | 'results'
  /** Nothing worth reading (an acknowledgement or an empty body). */
  | 'none';

export type Paging =
  | { readonly kind: 'page'; readonly page: string; readonly size: string; readonly first: 0 | 1 }
  | { readonly kind: 'offset'; readonly offset: string; readonly limit: string }
  | { readonly kind: 'none' };

export interface ApiOperation {
  readonly method: HttpMethod;
  /** Relative to the versioned base URL; `{name}` segments are filled in (and encoded) by the client. */
  readonly path: string;
  readonly paramsIn: ParamsIn;
  readonly unwrap: Unwrap;
  readonly paging: Paging;
  /** Scope the vendor's spec tags the operation with. */
  readonly scope: string;
  readonly verified: boolean;
  /** Where the fact comes from, or what is assumed. */
  readonly source: string;
}

const NO_PAGING: Paging = { kind: 'none' };

export const OPERATIONS = {
  'contacts.list': {
    method: 'POST',
    path: '/contacts/list',
    paramsIn: 'json',
    unwrap: 'data+meta',
    paging: { kind: 'page', page: 'page', size: 'length', first: 1 },
    // A read tagged contacts:write (sic) in the vendor's spec.
    scope: 'contacts:write',
    verified: false,
    source: 'v2.3 spec as read by a third party; body {search, page, length, sortBy, sortOrder, useShortResponse}; first page 0 or 1 unknown — 1 assumed (Laravel reads 0 as 1)',
  },
  'contacts.list-legacy': {
    method: 'GET',
    path: '/contacts',
    paramsIn: 'query',
    unwrap: 'data+meta',
    paging: { kind: 'page', page: 'page', size: 'limit', first: 1 },
    scope: 'contacts:read',
    verified: false,
    source: 'deprecated route of working integrations; the page-size parameter name is assumed (the paging reads meta.per_page, so a wrong guess only changes the page size)',
  },
  'contacts.search': {
    method: 'GET',
    path: '/contacts/search',
    paramsIn: 'query',
    unwrap: 'results',
    paging: NO_PAGING,
    scope: 'contacts:read',
    verified: true,
    source: 'working integrations: GET /contacts/search?term=&limit= → {results}',
  },
  'contacts.get': {
    method: 'GET',
    path: '/contacts/{id}',
    paramsIn: 'none',
    unwrap: 'object',
    paging: NO_PAGING,
    scope: 'contacts:read',
    verified: true,
    source: 'working integrations: full contact with tags, notes, custom_fields',
  },
  'contacts.create': {
    method: 'POST',
    path: '/contacts',
    paramsIn: 'query',
    unwrap: 'object',
    paging: NO_PAGING,
    scope: 'contacts:write',
    verified: true,
    source: 'vendor partnership guide: fields as query parameters, number required (E.164)',
  },
  'contacts.update': {
    method: 'PUT',
    path: '/contacts/{id}',
    paramsIn: 'json',
    unwrap: 'object',
    paging: NO_PAGING,
    scope: 'contacts:write',
    verified: true,
    source: 'working integrations: JSON body first_name, last_name, email, number',
  },
  'contacts.delete': {
    method: 'DELETE',
    path: '/contacts/{id}',
    paramsIn: 'none',
    unwrap: 'none',
    paging: NO_PAGING,
    scope: 'contacts:write',
    verified: true,
    source: 'working integrations',
  },
  'contacts.opt-out': {
    method: 'PUT',
    path: '/contacts/opt-out/{id}',
    paramsIn: 'none',
    unwrap: 'object',
    paging: NO_PAGING,
    scope: 'contacts:write',
    verified: false,
    source: 'one third party; the response shape is assumed to be the contact',
  },
  'contacts.opt-in': {
    method: 'PUT',
    path: '/contacts/opt-in/{id}',
    paramsIn: 'none',
    unwrap: 'object',
    paging: NO_PAGING,
    scope: 'contacts:write',
    verified: false,
    source: 'one third party; the response shape is assumed to be the contact',
  },
  'tags.list': {
    method: 'GET',
    path: '/tags',
    paramsIn: 'query',
    unwrap: 'data+meta',
    paging: { kind: 'page', page: 'page', size: 'limit', first: 1 },
    scope: 'tags:read',
    verified: false,
    source: 'GET /tags?search= is known; the paginator shape and the page-size name are assumed',
  },
  'tags.create': {
    method: 'POST',
    path: '/tags',
    paramsIn: 'query',
    unwrap: 'object',
    paging: NO_PAGING,
    scope: 'tags:write',
    verified: false,
    source: 'POST /tags?label= is known; the response is assumed to be the tag {id, name, label}',
  },
  'contacts.tag': {
    method: 'PUT',
    path: '/tags/contact/{contactId}/{tagId}',
    paramsIn: 'none',
    unwrap: 'none',
    paging: NO_PAGING,
    scope: 'tags:write',
    verified: true,
    source: 'working integrations: takes the tag id, not its label',
  },
  'contacts.untag': {
    method: 'DELETE',
    path: '/tags/contact/{contactId}/{tagId}',
    paramsIn: 'none',
    unwrap: 'none',
    paging: NO_PAGING,
    scope: 'tags:write',
    verified: true,
    source: 'working integrations',
  },
  'conversations.list': {
    method: 'GET',
    path: '/conversations',
    paramsIn: 'query',
    unwrap: 'array',
    paging: { kind: 'offset', offset: 'offset', limit: 'limit' },
    scope: 'conversations:read',
    verified: true,
    source: 'working integrations: ?filter=open&limit=&offset= → bare array',
  },
  'conversations.get': {
    method: 'GET',
    path: '/conversations/{id}',
    paramsIn: 'none',
    unwrap: 'object',
    paging: NO_PAGING,
    scope: 'conversations:read',
    verified: true,
    source: 'working integrations',
  },
  'messages.list': {
    method: 'GET',
    path: '/messages/{conversationId}/paginated',
    paramsIn: 'query',
    unwrap: 'data+meta',
    paging: { kind: 'page', page: 'page', size: 'per_page', first: 1 },
    scope: 'messages:read',
    verified: true,
    source: 'working integrations: ?page=&per_page= → {data, meta}',
  },
} as const satisfies Record<string, ApiOperation>;

export type OperationName = keyof typeof OPERATIONS;

/** The row of one operation, typed as the general shape. */
export function operation(name: OperationName): ApiOperation {
  return OPERATIONS[name];
}

/** Sorting of the contact lists: the field names the API takes. */
export const CONTACT_SORT = { byParam: 'sortBy', orderParam: 'sortOrder', updatedAt: 'updated_at', ascending: 'asc' } as const;

/** The only server-side date filter known (GET /contacts): contacts created after a date. */
export function createdAfterFilter(value: string): Record<string, string> {
  return {
    'filtersList[0][filters][0][key]': 'created_at',
    'filtersList[0][filters][0][operator]': 'is_after',
    'filtersList[0][filters][0][value]': value,
  };
}

export const API_HOST = 'https://api.salesmessage.com';
export const DEFAULT_API_VERSION = '2.3';
/** `pub/vX.Y`: v2.1 and v2.2 still answer. */
export const VERSION_PREFIX = /\/pub\/v(\d+\.\d+)\/?$/;
export const DEFAULT_BASE_URL = `${API_HOST}/pub/v${DEFAULT_API_VERSION}`;

export const OAUTH = {
  authorizeUrl: 'https://app.salesmessage.com/auth/oauth',
  /** The vendor's OAuth example posts to v2.2, whatever version the API calls use. */
  tokenUrl: `${API_HOST}/pub/v2.2/oauth/token`,
  /** The vendor's refresh route; working code also refreshes at tokenUrl with grant_type=refresh_token. */
  refreshUrl: `${API_HOST}/pub/v2.2/oauth/token/refresh`,
  /** Unverified: the authorize URL's scope separator. */
  scopeSeparator: ' ',
  /** Seconds an access token lives. */
  accessTokenTtlSeconds: 86_340,
  source: "vendor's OAuth example; refresh tokens rotate on every refresh",
} as const;

export const SCOPES = {
  read: ['contacts:read', 'tags:read', 'conversations:read', 'messages:read'],
  write: ['contacts:write', 'tags:write'],
  /** What older tokens carry instead of the scopes: it grants everything. */
  legacy: 'public-api',
} as const;

export const RATE_LIMIT = {
  /** Requests per minute per account. */
  perMinute: 60,
  /** How long the API answers 429 once the budget is spent. */
  penaltyMs: 60_000,
  message: 'Too Many Attempts.',
  /** The API sends no rate-limit headers. */
  headers: false,
} as const;
