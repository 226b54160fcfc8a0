import { randomBytes } from 'node:crypto';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPipelineScopes } from '../auth/check-scopes.js';
import { createTokenVault } from '../auth/token-vault.js';
import { defineConnector } from '../contract/connector.js';
import { createConnectorRegistry } from '../config/connector-registry.js';
import { parsePipeline } from '../config/pipeline-loader.js';
import { parseProject } from '../config/project-loader.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import { checkServedScopes } from './served-scopes.js';

/** A bearer-token connector whose reads need `r` and whose writes add `w`. */
const scoped = defineConnector({
  name: 'scoped',
  version: '0.1.0',
  description: 'Scopes for the start check of the service',
  configSchema: { type: 'object', additionalProperties: false, properties: { region: { type: 'string', description: 'Where it acts' } } },
  auth: [{ kind: 'bearer', label: 'API key' }],
  scopes: { read: ['r'], write: ['w'] },
  streams: [{ name: 'items', description: 'Items', schema: { type: 'object' }, primaryKey: 'id', syncModes: ['full'], scope: 'r', async *read() {} }],
  actions: [{ name: 'put', description: 'Writes an item', input: { type: 'object' }, idempotence: 'idempotent', scope: 'w', run: () => Promise.resolve({ outcome: 'created' }) }],
  triggers: [],
});

const registry = createConnectorRegistry([scoped]);
const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ferry-served-scopes-')));
const store = openSqliteStore(join(dir, 'ferry.db'));
const vault = createTokenVault({ store, key: randomBytes(32) });
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function check(partitions: string, checkScopes: typeof checkServedScopes = checkServedScopes): unknown {
  const project = parseProject(
    `connections:
  api:
    connector: scoped
    partitions:
${partitions}
  sink: { connector: scoped, auth: { token: ts, scopes: [r, w] } }
`,
    join(dir, 'ferry.yaml'),
    { registry, env: {} },
  );
  const pipeline = parsePipeline('name: items\nfrom: { connection: api, stream: items }\nto: { connection: sink, action: put }\n', join(dir, 'items.yaml'), { project, registry, env: {} });
  try {
    checkScopes([pipeline], project, registry, vault, { env: {} });
    return 'started';
  } catch (error) {
    return error;
  }
}

describe('the scope check of the service start, per listed partition', () => {
  it('takes each partition with its own token, although the connection has none of its own', () => {
    const listed = ['      - { id: a, config: { region: a-1 }, auth: { token: ta, scopes: [r] } }', '      - { id: b, config: { region: b-1 }, auth: { token: tb, scopes: [r] } }'];
    expect(check(listed.join('\n'))).toBe('started');
    // The connection on its own has no token: a check of the connection alone would refuse to start.
    expect(check(listed.join('\n'), checkPipelineScopes)).toMatchObject({ code: 'AUTH_MISSING', message: expect.stringContaining("connection 'api', which has no token") as string });
  });

  it('refuses when one partition\'s token lacks a scope, naming the pipeline and the connection', () => {
    const listed = ['      - { id: a, auth: { token: ta, scopes: [r] } }', '      - { id: b, auth: { token: tb, scopes: [x] } }'];
    expect(check(listed.join('\n'))).toMatchObject({ code: 'AUTH_MISSING_SCOPE', message: expect.stringContaining("pipeline 'items' needs scope 'r' on connection 'api'") as string });
  });
});
