import { describe, expect, it } from 'vitest';
import { defineConnector } from '../contract/connector.js';
import { missingScopes, scopesFor } from './scopes.js';

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
