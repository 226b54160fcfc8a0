import type { AuthKind, ScopeSet } from '@ferry/core';
import { OAUTH, SCOPES } from './api-table.js';

/**
 * A Personal Access Token (Settings → API in Salesmsg), or the OAuth 2.0 code flow of a Salesmsg app. Refresh
 * tokens rotate on every refresh: the core token provider stores the new one before using the new access token.
 */
export const authKinds: readonly AuthKind[] = [
  { kind: 'bearer', label: 'Personal Access Token' },
  {
    kind: 'oauth2',
    authorizeUrl: OAUTH.authorizeUrl,
    tokenUrl: OAUTH.tokenUrl,
    refreshUrl: OAUTH.refreshUrl,
    scopeSeparator: OAUTH.scopeSeparator,
  },
];

/**
 * Reads ask for the four read scopes; writes add contacts:write and tags:write. POST /contacts/list is tagged
 * contacts:write although it reads: the contacts stream falls back to GET /contacts for read-only tokens (see
 * streams/contact-pages.ts), so a read-only pipeline never needs a write scope. Older tokens carry only
 * `public-api`, which grants everything.
 */
export const scopes: ScopeSet = { read: [...SCOPES.read], write: [...SCOPES.write], grantsAll: [SCOPES.legacy] };
