import { describe, expect, it } from 'vitest';
import { defineConnector, type ConnectorDef, type OAuth2AuthKind } from '../contract/connector.js';
import { isLoopbackHost, resolveAuthorizeUrl, resolveRefreshUrl, resolveTokenUrl } from './token-url.js';

const auth: OAuth2AuthKind = {
  kind: 'oauth2',
  authorizeUrl: 'https://app.crm.example/auth/oauth',
  tokenUrl: 'https://api.crm.example/pub/v2.2/oauth/token',
  refreshUrl: 'https://api.crm.example/pub/v2.2/oauth/token/refresh',
  scopeSeparator: ' ',
};
const crm: ConnectorDef = defineConnector({
  name: 'crm',
  version: '1.0.0',
  description: 'test',
  configSchema: {},
  auth: [auth],
  http: { baseUrl: (config) => (typeof config['baseUrl'] === 'string' ? config['baseUrl'] : 'https://api.crm.example/pub/v2.3') },
  streams: [],
  actions: [],
  triggers: [],
});
const live = 'https://api.crm.example/pub/v2.3';
const sandbox = 'http://127.0.0.1:4010/pub/v2.3';

describe('OAuth URLs of a connection', () => {
  it('uses the connector URLs against the live API', () => {
    expect(resolveTokenUrl(crm, auth, {}, live)).toBe(auth.tokenUrl);
    expect(resolveRefreshUrl(crm, auth, {}, live)).toBe(auth.refreshUrl);
    expect(resolveAuthorizeUrl(crm, auth, {}, live)).toBe(auth.authorizeUrl);
  });

  it('follows a sandbox base URL for the token, refresh and consent URLs, so nothing reaches the vendor', () => {
    expect(resolveTokenUrl(crm, auth, {}, sandbox)).toBe('http://127.0.0.1:4010/pub/v2.2/oauth/token');
    expect(resolveRefreshUrl(crm, auth, {}, sandbox)).toBe('http://127.0.0.1:4010/pub/v2.2/oauth/token/refresh');
    expect(resolveAuthorizeUrl(crm, auth, {}, sandbox)).toBe('http://127.0.0.1:4010/auth/oauth');
  });

  it('keeps the vendor consent page for a white-label API host, and takes configured URLs as they are', () => {
    expect(resolveAuthorizeUrl(crm, auth, {}, 'https://api.white-label.example')).toBe(auth.authorizeUrl);
    const config = { authorizeUrl: 'https://login.white-label.example/oauth', tokenUrl: 'https://proxy.example/token' };
    expect(resolveAuthorizeUrl(crm, auth, config, sandbox)).toBe(config.authorizeUrl);
    expect(resolveTokenUrl(crm, auth, config, sandbox)).toBe(config.tokenUrl);
    // A proxy named for the token URL takes refreshes too, unless a refresh URL is configured.
    expect(resolveRefreshUrl(crm, auth, config, sandbox)).toBe(config.tokenUrl);
    expect(resolveRefreshUrl(crm, auth, { ...config, refreshUrl: 'https://proxy.example/refresh' }, sandbox)).toBe('https://proxy.example/refresh');
  });

  it('refreshes at the token URL when the connector has no refresh URL', () => {
    const { refreshUrl: _refreshUrl, ...withoutRefresh } = auth;
    expect(resolveRefreshUrl(crm, withoutRefresh, {}, sandbox)).toBe('http://127.0.0.1:4010/pub/v2.2/oauth/token');
  });
});

describe('isLoopbackHost', () => {
  it('knows the addresses of this machine only', () => {
    for (const host of ['127.0.0.1', '127.8.0.1', 'localhost', 'LOCALHOST', '[::1]', '::1']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['10.0.0.1', '0.0.0.0', 'example.com', 'localhost.example.com', '[::]']) expect(isLoopbackHost(host)).toBe(false);
  });
});
