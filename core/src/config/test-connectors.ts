import { defineConnector, type ActionDef, type StreamDef } from '../contract/connector.js';
import type { ProjectSpec } from '../contract/pipeline.js';
import { createConnectorRegistry, type ConnectorRegistry } from './connector-registry.js';
import { parseProject } from './project-loader.js';

/**
 * Small connectors for the loader's tests: a `crm` (OAuth2 or bearer; contacts and notes; upserts and tags)
 * and a `chat` (bearer only; open-ended contact records). They never touch the network.
 */

async function* noPages(): AsyncIterable<never> {
  // Loader tests never read.
}

const contacts: StreamDef = {
  name: 'contacts',
  description: 'People in the CRM',
  primaryKey: 'id',
  cursorField: 'updated_at',
  syncModes: ['full', 'incremental'],
  scope: 'contacts.readonly',
  schema: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      first_name: { type: 'string' },
      last_name: { type: 'string' },
      email: { type: 'string' },
      phone: { type: 'string' },
      tags: { type: 'array' },
      address: { type: 'object' },
      updated_at: { type: 'string' },
    },
  },
  params: {
    type: 'object',
    properties: { since: { type: 'string' }, limit: { type: 'integer', minimum: 1 } },
  },
  read: noPages,
};

const notes: StreamDef = {
  name: 'notes',
  description: "A contact's notes",
  primaryKey: 'id',
  syncModes: ['full'],
  schema: { type: 'object', properties: { id: { type: 'string' }, body: { type: 'string' }, contactId: { type: 'string' } } },
  params: { type: 'object', required: ['contactId'], properties: { contactId: { type: 'string' } }, additionalProperties: false },
  parent: { stream: 'contacts', param: 'contactId', from: 'id' },
  read: noPages,
};

const upsert: ActionDef = {
  name: 'contacts.upsert',
  description: 'Create or update a contact, matching on phone or email',
  idempotence: 'upsert',
  scope: 'contacts.write',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      firstName: { type: 'string' },
      lastName: { type: 'string' },
      email: { type: 'string' },
      phone: { type: 'string' },
      tags: { type: 'array' },
      source: { type: 'string' },
      address: { type: 'object' },
    },
  },
  options: { type: 'object', additionalProperties: false, properties: { dryRun: { type: 'boolean' } } },
  run: () => Promise.resolve({ outcome: 'created', id: 'c1' }),
};

const addTags: ActionDef = {
  name: 'contacts.tags.add',
  description: 'Add tags to the written contact',
  idempotence: 'idempotent',
  input: { type: 'object' },
  options: {
    type: 'object',
    additionalProperties: false,
    required: ['tags'],
    properties: { tags: { type: 'array', items: { type: 'string' }, minItems: 1 } },
  },
  run: () => Promise.resolve({ outcome: 'updated' }),
};

export const crmConnector = defineConnector({
  name: 'crm',
  version: '0.0.0',
  description: 'A CRM for tests',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['baseUrl'],
    properties: {
      baseUrl: { type: 'string', format: 'uri', description: 'Base URL of the API' },
      locationId: { type: 'string', description: 'Account the connection acts for' },
      pageSize: { type: 'integer', minimum: 1, maximum: 100 },
    },
  },
  auth: [
    { kind: 'oauth2', authorizeUrl: 'http://127.0.0.1:1/authorize', tokenUrl: 'http://127.0.0.1:1/token', scopeSeparator: ' ' },
    { kind: 'bearer', label: 'API key' },
  ],
  streams: [contacts, notes],
  actions: [upsert, addTags],
  triggers: [
    { name: 'contact.created', description: 'A contact was created', kind: 'webhook', stream: 'contacts' },
    { name: 'note.created', description: 'A note was created', kind: 'webhook', stream: 'notes' },
  ],
});

export const chatConnector = defineConnector({
  name: 'chat',
  version: '0.0.0',
  description: 'A messaging service for tests',
  configSchema: { type: 'object', properties: { baseUrl: { type: 'string' } } },
  auth: [{ kind: 'bearer', label: 'Personal Access Token' }],
  streams: [
    {
      name: 'contacts',
      description: 'Chat contacts; custom fields make records open-ended',
      primaryKey: 'id',
      syncModes: ['full'],
      schema: { type: 'object', properties: { id: { type: 'integer' }, number: { type: 'string' } }, additionalProperties: true },
      read: noPages,
    },
  ],
  actions: [
    {
      name: 'messages.send',
      description: 'Send a message',
      idempotence: 'none',
      input: { type: 'object', properties: { to: { type: 'string' }, body: { type: 'string' } } },
      run: () => Promise.resolve({ outcome: 'created' }),
    },
  ],
  triggers: [{ name: 'contact.created', description: 'A contact was created', kind: 'webhook', stream: 'contacts' }],
});

export const testRegistry: ConnectorRegistry = createConnectorRegistry([crmConnector, chatConnector]);

/** A project with connections `crm` (crm, bearer) and `chat` (chat), as if read from /work/project/ferry.yaml. */
export function testProject(): ProjectSpec {
  return parseProject(
    [
      'connections:',
      '  crm:',
      '    connector: crm',
      '    config: { baseUrl: "http://127.0.0.1:9/api" }',
      '    auth: { token: "${CRM_TOKEN}" }',
      '  chat:',
      '    connector: chat',
      '    auth: { kind: bearer, token: t }',
      'pipelines: []',
    ].join('\n'),
    '/nonexistent-ferry-project/ferry.yaml',
    { registry: testRegistry, env: { CRM_TOKEN: 'secret-token-value' } },
  );
}
