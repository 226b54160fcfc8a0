import { describe, expect, it } from 'vitest';
import { defineConnector, type OAuth2AuthKind } from '../contract/connector.js';
import { buildAuthorizeUrl, createOAuthState } from './authorize-url.js';
import { missingScopes, scopesFor } from './scopes.js';

const oauth: OAuth2AuthKind = {
  kind: 'oauth2',
  authorizeUrl: 'https://marketplace.gohighlevel.com/v2/oauth/chooselocation',
  tokenUrl: 'https://services.leadconnectorhq.com/oauth/token',
  scopeSeparator: ' ',
};
const connector = defineConnector({
  name: 'demo',
  version: '1.0.0',
  description: 'demo',
  configSchema: {},
  auth: [oauth],
  scopes: { read: ['contacts.readonly'], write: ['contacts.write'] },
  streams: [],
  actions: [],
  triggers: [],
});

describe('scopesFor', () => {
  it('asks for write scopes only when a pipeline writes', () => {
    expect(scopesFor(connector, { reads: true, writes: false })).toEqual(['contacts.readonly']);
    expect(scopesFor(connector, { reads: true, writes: true })).toEqual(['contacts.readonly', 'contacts.write']);
    expect(scopesFor(connector, { reads: false, writes: false })).toEqual([]);
  });

  it('lists what a token lacks', () => {
    expect(missingScopes(['contacts.readonly'], ['contacts.readonly', 'contacts.write', 'contacts.write'])).toEqual(['contacts.write']);
    expect(missingScopes(['a', 'b'], ['b'])).toEqual([]);
  });
});

describe('buildAuthorizeUrl', () => {
  it('carries only the needed scopes, with the provider separator, and the state', () => {
    const state = createOAuthState();
    const url = new URL(
      buildAuthorizeUrl(oauth, {
        clientId: 'cid',
        redirectUri: 'http://127.0.0.1:5555/callback',
        scopes: scopesFor(connector, { reads: true, writes: false }),
        state,
      }),
    );
    expect(url.origin + url.pathname).toBe(oauth.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: 'http://127.0.0.1:5555/callback',
      scope: 'contacts.readonly',
      state,
    });
    const comma = new URL(buildAuthorizeUrl({ ...oauth, scopeSeparator: ',' }, { clientId: 'c', redirectUri: 'r:', scopes: ['a', 'b', 'a'], state: 's' }));
    expect(comma.searchParams.get('scope')).toBe('a,b');
  });

  it('makes a new unguessable state each time', () => {
    const states = new Set(Array.from({ length: 100 }, () => createOAuthState()));
    expect(states.size).toBe(100);
    expect([...states].every((s) => /^[A-Za-z0-9_-]{32}$/.test(s))).toBe(true);
  });
});
