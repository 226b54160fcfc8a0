import { describe, expect, it } from 'vitest';
import { defineConnector, type ConnectorContext } from '@ferry/core';
import { describeConnector } from './catalog-model.js';
import { formatCatalog } from './catalog-format.js';

const crm = defineConnector({
  name: 'crm',
  version: '1.2.3',
  description: 'A CRM',
  configSchema: {
    type: 'object',
    required: ['baseUrl'],
    properties: { baseUrl: { type: 'string', description: 'API root' }, locationId: { type: 'string' } },
  },
  auth: [
    { kind: 'oauth2', authorizeUrl: 'https://crm.example/authorize', tokenUrl: 'https://crm.example/token', scopeSeparator: ' ' },
    { kind: 'bearer', label: 'Private Integration Token' },
  ],
  scopes: { read: ['contacts.readonly'], write: ['contacts.write'] },
  limits: { windows: [{ max: 100, perMs: 10_000 }, { max: 200_000, perMs: 86_400_000 }], penaltyMs: 60_000, readHeaders: () => ({}) },
  streams: [
    {
      name: 'contacts',
      description: 'All contacts',
      schema: { type: 'object' },
      primaryKey: 'id',
      cursorField: 'dateUpdated',
      syncModes: ['full', 'incremental'],
      scope: 'contacts.readonly',
      async *read() {},
    },
    {
      name: 'contact.tasks',
      description: "A contact's tasks",
      schema: { type: 'object' },
      primaryKey: 'id',
      syncModes: ['full'],
      scope: 'contacts.readonly',
      params: { type: 'object', properties: { contactId: { type: 'string' } } },
      parent: { stream: 'contacts', param: 'contactId', from: 'id' },
      async *read() {},
    },
  ],
  actions: [
    {
      name: 'contacts.upsert',
      description: 'Create or update a contact',
      input: { type: 'object' },
      options: { type: 'object', properties: { replaceTags: { type: 'boolean' } } },
      scope: 'contacts.write',
      idempotence: 'upsert',
      http: { method: 'POST', path: '/contacts/upsert' },
      run: async () => ({ outcome: 'created' }),
      find: async (_ctx: ConnectorContext) => undefined,
    },
  ],
  triggers: [{ name: 'ContactCreate', description: 'A contact was created', kind: 'webhook', stream: 'contacts', verify: () => {} }],
});

describe('catalog', () => {
  it('is derived from the connector object alone', () => {
    const entry = describeConnector(crm);
    expect(entry.streams.map((s) => [s.name, s.primaryKey, s.cursorField, s.syncModes, s.scope])).toEqual([
      ['contacts', 'id', 'dateUpdated', ['full', 'incremental'], 'contacts.readonly'],
      ['contact.tasks', 'id', undefined, ['full'], 'contacts.readonly'],
    ]);
    expect(entry.streams[1]?.params).toEqual(['contactId']);
    expect(entry.actions[0]).toMatchObject({ method: 'POST', path: '/contacts/upsert', scope: 'contacts.write', idempotence: 'upsert', options: ['replaceTags'], plan: true });
    expect(entry.triggers[0]).toMatchObject({ name: 'ContactCreate', kind: 'webhook', verified: true });
    expect(entry.auth.map((a) => a.kind)).toEqual(['oauth2', 'bearer']);
    expect(entry.config).toEqual([
      { name: 'baseUrl', type: 'string', required: true, description: 'API root' },
      { name: 'locationId', type: 'string', required: false, description: undefined },
    ]);
    expect(JSON.parse(JSON.stringify(entry))).toMatchObject({ name: 'crm', sandbox: false });
  });

  it('prints streams, actions with method and path, triggers, auth and limits', () => {
    const text = formatCatalog(describeConnector(crm)).join('\n');
    expect(text).toContain('crm 1.2.3 — A CRM');
    expect(text).toContain('oauth2 (authorize https://crm.example/authorize, token https://crm.example/token), bearer (Private Integration Token)');
    expect(text).toContain('100 per 10 s, 200,000 per day');
    expect(text).toMatch(/contacts\s+id\s+dateUpdated\s+full, incremental\s+contacts\.readonly/);
    expect(text).toMatch(/contacts\.upsert\s+POST \/contacts\/upsert\s+contacts\.write\s+upsert/);
    expect(text).toMatch(/ContactCreate\s+webhook\s+contacts\s+yes/);
    expect(text).toMatch(/contact\.tasks\s+id\s+—\s+full\s+contacts\.readonly\s+contactId ← contacts\.id\s+A contact's tasks/);
    expect(text).toContain('baseUrl* (string)');
  });
});
