import { describe, expect, it } from 'vitest';
import { defineConnector } from '../contract/connector.js';
import type { ConnectionSpec } from '../contract/pipeline.js';
import { connectionScopes, missingScopes, scopesFor } from './scopes.js';

const crm = defineConnector({
  name: 'crm',
  version: '1.0.0',
  description: 'test',
  configSchema: {},
  auth: [{ kind: 'bearer', label: 'API key' }],
  scopes: { read: ['contacts.readonly'], write: ['contacts.write'], grantsAll: ['everything'] },
  streams: [],
  actions: [],
  triggers: [],
});

describe('scopesFor', () => {
  it('asks for the read scopes when pipelines only read, and adds the write scopes only when one writes', () => {
    expect(scopesFor(crm, { reads: true, writes: false })).toEqual(['contacts.readonly']);
    expect(scopesFor(crm, { reads: true, writes: true })).toEqual(['contacts.readonly', 'contacts.write']);
    expect(scopesFor(crm, { reads: false, writes: true })).toEqual(['contacts.readonly', 'contacts.write']);
    expect(scopesFor(crm, { reads: false, writes: false })).toEqual([]);
  });
});

describe('connectionScopes', () => {
  const agencyCrm = defineConnector({
    ...crm,
    auth: [
      {
        kind: 'oauth2',
        authorizeUrl: 'https://crm.example.test/oauth/authorize',
        tokenUrl: 'https://crm.example.test/oauth/token',
        scopeSeparator: ' ',
        forPartitions: { label: 'agency token', scopes: ['oauth.readonly', 'oauth.write', 'contacts.readonly'] },
      },
    ],
  });
  const connection = (extra: Partial<ConnectionSpec> = {}): ConnectionSpec => ({ name: 'c', connector: 'crm', config: {}, auth: { kind: 'oauth2' }, ...extra });

  it('adds what discovering the partitions needs for an oauth2 partitions: discover connection, once each', () => {
    const discover = connection({ partitions: 'discover' });
    expect(connectionScopes(agencyCrm, discover, { reads: true, writes: false })).toEqual(['contacts.readonly', 'oauth.readonly', 'oauth.write']);
    expect(connectionScopes(agencyCrm, discover, { reads: true, writes: true })).toEqual(['contacts.readonly', 'contacts.write', 'oauth.readonly', 'oauth.write']);
  });

  it('asks for the pipelines\' scopes only otherwise: least privilege', () => {
    expect(connectionScopes(agencyCrm, connection(), { reads: true, writes: false })).toEqual(['contacts.readonly']);
    expect(connectionScopes(agencyCrm, connection({ partitions: [{ id: 'a', config: {} }] }), { reads: true, writes: false })).toEqual(['contacts.readonly']);
    expect(connectionScopes(agencyCrm, connection({ partitions: 'discover', auth: { kind: 'bearer' } }), { reads: true, writes: false })).toEqual(['contacts.readonly']);
    // A connector without a partitions grant: the connection's token is used as it is.
    expect(connectionScopes(crm, connection({ partitions: 'discover' }), { reads: true, writes: true })).toEqual(['contacts.readonly', 'contacts.write']);
  });
});

describe('missingScopes', () => {
  it('lists the needed scopes the token lacks, once each, in the order needed', () => {
    expect(missingScopes(['contacts.readonly'], ['contacts.readonly', 'contacts.write', 'contacts.write'])).toEqual(['contacts.write']);
    expect(missingScopes([], ['a', 'b'])).toEqual(['a', 'b']);
    expect(missingScopes(['a', 'b'], ['b', 'a'])).toEqual([]);
  });

  it('treats a legacy all-access scope as granting everything', () => {
    expect(missingScopes(['everything'], ['contacts.readonly', 'contacts.write'], crm.scopes.grantsAll)).toEqual([]);
    expect(missingScopes(['contacts.readonly'], ['contacts.write'], crm.scopes.grantsAll)).toEqual(['contacts.write']);
    // Without the connector saying so, the legacy scope is just another name.
    expect(missingScopes(['everything'], ['contacts.write'])).toEqual(['contacts.write']);
  });
});
