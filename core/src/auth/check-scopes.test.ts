import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defineConnector, type ConnectorDef } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import type { ConnectionSpec, PipelineSpec, ProjectSpec, StepSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import { checkPipelineScopes, findScopeShortfalls, grantedScopes } from './check-scopes.js';
import { connectionUse } from './connection-uses.js';
import type { StoredToken } from './stored-token.js';
import { createTokenVault, type KeyValueStore, type TokenVault } from './token-vault.js';

const crm: ConnectorDef = defineConnector({
  name: 'crm',
  version: '1.0.0',
  description: 'test CRM',
  configSchema: {},
  auth: [
    { kind: 'oauth2', authorizeUrl: 'https://crm.invalid/authorize', tokenUrl: 'https://crm.invalid/token', scopeSeparator: ' ' },
    { kind: 'bearer', label: 'Private Integration Token' },
  ],
  scopes: { read: ['contacts.readonly'], write: ['contacts.write'], grantsAll: ['public-api'] },
  streams: [],
  actions: [],
  triggers: [],
});
const files: ConnectorDef = defineConnector({ name: 'files', version: '1.0.0', description: 'no auth', configSchema: {}, auth: [{ kind: 'none' }], streams: [], actions: [], triggers: [] });
const registry = new Map([
  ['crm', crm],
  ['files', files],
]);

function step(connection: string, action = 'contacts.upsert'): StepSpec {
  return { connection, action };
}

function pipeline(name: string, from: string, to: StepSpec, then: StepSpec[] = []): PipelineSpec {
  return {
    name,
    file: `/project/pipelines/${name}.yaml`,
    on: [],
    from: { connection: from, stream: 'contacts', sync: 'incremental' },
    to,
    map: {},
    // oxlint-disable-next-line unicorn/no-thenable -- a pipeline's follow-up steps, never awaited
    then,
    positions: {},
  };
}

function project(connections: ConnectionSpec[]): ProjectSpec {
  return {
    file: '/project/ferry.yaml',
    baseDir: '/project',
    store: '/project/ferry.db',
    connections: Object.fromEntries(connections.map((c) => [c.name, c])),
    pipelineFiles: [],
    serve: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  };
}

function memoryStore(): KeyValueStore {
  const rows = new Map<string, string>();
  return { getValue: (ns, key) => rows.get(`${ns}/${key}`), setValue: (ns, key, value) => void rows.set(`${ns}/${key}`, value) };
}

function vaultWith(tokens: Record<string, Partial<StoredToken>>): TokenVault {
  const vault = createTokenVault({ store: memoryStore(), key: randomBytes(32) });
  for (const [connection, token] of Object.entries(tokens)) {
    vault.put(connection, { kind: 'oauth2', accessToken: `at-${connection}`, refreshToken: `rt-${connection}`, scopes: [], tokenType: 'Bearer', obtainedAt: new Date().toISOString(), ...token });
  }
  return vault;
}

const oauthCrm: ConnectionSpec = { name: 'ghl', connector: 'crm', config: {}, auth: { kind: 'oauth2', clientId: 'c', clientSecret: 's' } };
const disk: ConnectionSpec = { name: 'disk', connector: 'files', config: {}, auth: { kind: 'none' } };
const readOnly = pipeline('ghl-to-disk', 'ghl', step('disk', 'write'));
const writes = pipeline('disk-to-ghl', 'disk', step('ghl'));

function errorOf(run: () => void): FerryError {
  try {
    run();
  } catch (error) {
    if (error instanceof FerryError) return error;
    throw error;
  }
  throw new Error('expected a FerryError');
}

describe('checkPipelineScopes', () => {
  it('lets a read-only pipeline run with a read-only oauth2 token', () => {
    const vault = vaultWith({ ghl: { scopes: ['contacts.readonly'] } });
    expect(() => checkPipelineScopes([readOnly], project([oauthCrm, disk]), registry, vault)).not.toThrow();
  });

  it('refuses a pipeline that writes when the token lacks the write scope: systemic, naming pipeline, connection, scope and fix', () => {
    const vault = vaultWith({ ghl: { scopes: ['contacts.readonly'] } });
    const error = errorOf(() => checkPipelineScopes([readOnly, writes], project([oauthCrm, disk]), registry, vault));
    expect(error.code).toBe('AUTH_MISSING_SCOPE');
    expect(error.message).toBe("pipeline 'disk-to-ghl' needs scope 'contacts.write' on connection 'ghl', which its token does not grant");
    expect(error.hint).toMatch(/^run `ferry auth ghl` to grant it/);
    expect(error.details).toMatchObject({ systemic: true, pipeline: 'disk-to-ghl', connection: 'ghl', missing: ['contacts.write'] });
    expect(JSON.stringify(error.toJSON())).not.toContain('at-ghl');
  });

  it('counts a `then` step on a connection as a write', () => {
    const vault = vaultWith({ ghl: { scopes: ['contacts.readonly'] } });
    const tagging = pipeline('ghl-tags', 'ghl', step('disk', 'write'), [step('ghl', 'contacts.tags.add')]);
    expect(findScopeShortfalls([tagging], project([oauthCrm, disk]), registry, vault)).toEqual([
      { pipeline: 'ghl-tags', connection: 'ghl', kind: 'oauth2', needed: ['contacts.readonly', 'contacts.write'], missing: ['contacts.write'], noToken: false },
    ]);
  });

  it('names every shortfall, the first in the message', () => {
    const vault = vaultWith({ ghl: { scopes: ['contacts.readonly'] }, other: { scopes: ['x'] } });
    const other: ConnectionSpec = { ...oauthCrm, name: 'other' };
    const error = errorOf(() => checkPipelineScopes([writes, pipeline('other-to-disk', 'other', step('disk', 'write'))], project([oauthCrm, other, disk]), registry, vault));
    expect(error.message).toContain("(and 1 more: other-to-disk on other)");
    expect(error.details['shortfalls']).toEqual([
      { pipeline: 'disk-to-ghl', connection: 'ghl', missing: ['contacts.write'], noToken: false },
      { pipeline: 'other-to-disk', connection: 'other', missing: ['contacts.readonly'], noToken: false },
    ]);
  });

  it('honours a legacy scope that grants everything', () => {
    const vault = vaultWith({ ghl: { scopes: ['public-api'] } });
    expect(() => checkPipelineScopes([writes], project([oauthCrm, disk]), registry, vault)).not.toThrow();
  });

  it('refuses an oauth2 connection without a stored token with AUTH_MISSING', () => {
    const error = errorOf(() => checkPipelineScopes([readOnly], project([oauthCrm, disk]), registry, vaultWith({})));
    expect(error).toMatchObject({ code: 'AUTH_MISSING', details: { systemic: true, connection: 'ghl' } });
    expect(error.hint).toContain('ferry auth ghl');
  });

  it('skips bearer tokens from ferry.yaml or the environment whose scopes are not configured, with a debug log, and never opens the vault', () => {
    const debug: unknown[] = [];
    const log: Logger = { debug: (o) => debug.push(o), info: () => undefined, warn: () => undefined, error: () => undefined, child: () => log };
    const fromYaml: ConnectionSpec = { name: 'ghl', connector: 'crm', config: {}, auth: { kind: 'bearer', token: 'pit-1' } };
    const vault = () => {
      throw new Error('the vault must not be opened');
    };
    expect(() => checkPipelineScopes([writes], project([fromYaml, disk]), registry, vault, { log, env: {} })).not.toThrow();
    expect(debug).toEqual([{ connection: 'ghl', reason: expect.stringContaining('auth.scopes') }]);
    const fromEnv: ConnectionSpec = { name: 'ghl', connector: 'crm', config: {}, auth: { kind: 'bearer' } };
    expect(() => checkPipelineScopes([writes], project([fromEnv, disk]), registry, vault, { env: { GHL_TOKEN: 'pit-2' } })).not.toThrow();
  });

  it('checks a bearer token against its configured scopes, and a stored one against what was recorded with it', () => {
    const configured: ConnectionSpec = { name: 'ghl', connector: 'crm', config: {}, auth: { kind: 'bearer', token: 'pit-1', scopes: ['contacts.readonly'] } };
    const error = errorOf(() => checkPipelineScopes([writes], project([configured, disk]), registry, vaultWith({}), { env: {} }));
    expect(error.code).toBe('AUTH_MISSING_SCOPE');
    expect(error.hint).toContain('Private Integration Token');
    expect(error.hint).toContain('auth.scopes');
    const stored: ConnectionSpec = { name: 'ghl', connector: 'crm', config: {}, auth: { kind: 'bearer' } };
    const vault = vaultWith({ ghl: { kind: 'bearer', scopes: ['contacts.readonly'] } });
    expect(findScopeShortfalls([writes], project([stored, disk]), registry, vault, { env: {} })[0]?.missing).toEqual(['contacts.write']);
    expect(findScopeShortfalls([readOnly], project([stored, disk]), registry, vault, { env: {} })).toEqual([]);
  });

  it('ignores connections that take no credentials or whose connector declares no scopes', () => {
    expect(findScopeShortfalls([pipeline('disk-to-disk', 'disk', step('disk', 'write'))], project([disk]), registry, vaultWith({}))).toEqual([]);
  });
});

describe('checkPipelineScopes of a partitions: discover connection', () => {
  const agencyCrm: ConnectorDef = defineConnector({
    ...crm,
    name: 'agency-crm',
    auth: [
      {
        kind: 'oauth2',
        authorizeUrl: 'https://crm.invalid/authorize',
        tokenUrl: 'https://crm.invalid/token',
        scopeSeparator: ' ',
        forPartitions: { label: 'agency token', scopes: ['oauth.readonly', 'oauth.write'] },
      },
    ],
  });
  const agencies = new Map([...registry, ['agency-crm', agencyCrm]]);
  const agency: ConnectionSpec = { ...oauthCrm, connector: 'agency-crm', partitions: 'discover' };

  it('needs the partitions grant\'s scopes besides the pipeline\'s, and names them when the token lacks them', () => {
    const vault = vaultWith({ ghl: { scopes: ['contacts.readonly'] } });
    const error = errorOf(() => checkPipelineScopes([readOnly], project([agency, disk]), agencies, vault));
    expect(error.code).toBe('AUTH_MISSING_SCOPE');
    expect(error.message).toBe("pipeline 'ghl-to-disk' needs scopes 'oauth.readonly', 'oauth.write' on connection 'ghl', which its token does not grant");
    expect(error.hint).toMatch(/^run `ferry auth ghl` to grant it \(this pipeline needs contacts.readonly oauth.readonly oauth.write;/);
    const granted = vaultWith({ ghl: { scopes: ['contacts.readonly', 'oauth.readonly', 'oauth.write'], forPartitions: true } });
    expect(findScopeShortfalls([readOnly], project([agency, disk]), agencies, granted)).toEqual([]);
    // The same connection without `partitions: discover` needs only what its pipelines do.
    const { partitions: _discover, ...unpartitioned } = agency;
    expect(findScopeShortfalls([readOnly], project([unpartitioned, disk]), agencies, vault)).toEqual([]);
  });
});

describe('grantedScopes', () => {
  it('says where the scopes come from, or why nobody can tell', () => {
    const vault = vaultWith({ ghl: { scopes: ['contacts.readonly'] }, blank: { scopes: [] } });
    expect(grantedScopes(oauthCrm, vault, {})).toEqual({ state: 'known', scopes: ['contacts.readonly'], from: 'vault' });
    expect(grantedScopes({ ...oauthCrm, name: 'blank' }, vault, {})).toEqual({ state: 'unknown', reason: 'the stored token records no scopes' });
    expect(grantedScopes({ ...oauthCrm, name: 'none' }, vault, {})).toEqual({ state: 'no-token' });
  });
});

describe('connectionUse', () => {
  it('lists which pipelines read a connection and which write through it', () => {
    expect(connectionUse([readOnly, writes], 'ghl')).toEqual({ reads: true, writes: true, readBy: ['ghl-to-disk'], writtenBy: ['disk-to-ghl'] });
    expect(connectionUse([readOnly], 'nowhere')).toEqual({ reads: false, writes: false, readBy: [], writtenBy: [] });
  });
});
