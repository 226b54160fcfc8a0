import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { defineConnector, type ConnectorDef } from '../contract/connector.js';
import type { Logger } from '../contract/logger.js';
import type { ConnectionSpec, PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import { serveHandlers, type LoopbackServer } from '../sandbox/serve-handlers.js';
import { createTokenVault, type KeyValueStore, type TokenVault } from '../auth/token-vault.js';
import { closeAllPools } from '../http/pool-registry.js';
import { forgetLimiters } from '../http/limiter-registry.js';
import { openSqliteStore, type SqliteStore } from '../store/sqlite-store.js';
import { createService, type FerryService } from './create-service.js';
import { TokenRotation } from './token-rotation.js';

/** Log lines as JSON text, bindings of child loggers included: what an operator would read. */
function capturingLogger(lines: string[], bindings: Record<string, unknown> = {}): Logger {
  const write = (level: string) => (obj: object | string, msg?: string) => void lines.push(JSON.stringify({ level, ...bindings, ...(typeof obj === 'string' ? { msg: obj } : { ...obj, msg }) }));
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), child: (more) => capturingLogger(lines, { ...bindings, ...more }) };
}

let provider: LoopbackServer;
let generation = 0;
let refuse = false;
beforeAll(async () => {
  provider = await serveHandlers([
    http.post('*/oauth/token', async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      if (refuse || form.get('grant_type') !== 'refresh_token') return HttpResponse.json({ error: 'invalid_grant' }, { status: 400 });
      generation += 1;
      return HttpResponse.json({ access_token: `at-secret-${generation}`, refresh_token: `rt-secret-${generation}`, expires_in: 86_400, scope: 'contacts.readonly' });
    }),
  ]);
});
beforeEach(() => {
  refuse = false;
});
afterAll(async () => {
  await provider.close();
  await forgetLimiters();
  await closeAllPools();
});

const crm: ConnectorDef = defineConnector({
  name: 'crm',
  version: '1.0.0',
  description: 'test CRM',
  configSchema: {},
  auth: [{ kind: 'oauth2', authorizeUrl: 'https://crm.invalid/authorize', tokenUrl: 'https://api.crm.invalid/oauth/token', scopeSeparator: ' ' }],
  scopes: { read: ['contacts.readonly'], write: ['contacts.write'] },
  http: { baseUrl: (config) => (typeof config['baseUrl'] === 'string' ? config['baseUrl'] : 'https://api.crm.invalid') },
  streams: [],
  actions: [],
  triggers: [],
});
const registry = new Map([['crm', crm]]);

function oauth(name: string): ConnectionSpec {
  return { name, connector: 'crm', config: { baseUrl: provider.url }, auth: { kind: 'oauth2', clientId: 'c', clientSecret: 's' } };
}

function project(connections: ConnectionSpec[], baseDir = '/project'): ProjectSpec {
  return {
    file: join(baseDir, 'ferry.yaml'),
    baseDir,
    store: join(baseDir, 'ferry.db'),
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

function seed(vault: TokenVault, connection: string, scopes: readonly string[] = ['contacts.readonly']): void {
  vault.put(connection, { kind: 'oauth2', accessToken: `at-secret-${connection}`, refreshToken: `rt-secret-${connection}`, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), scopes, tokenType: 'Bearer', obtainedAt: new Date().toISOString() });
}

describe('TokenRotation', () => {
  const rotations: TokenRotation[] = [];
  afterEach(async () => {
    for (const rotation of rotations.splice(0)) {
      rotation.stop();
      await rotation.idle();
    }
  });

  it('rotates every oauth2 token on a fast schedule and logs it without a secret', async () => {
    const lines: string[] = [];
    const vault = createTokenVault({ store: memoryStore(), key: randomBytes(32) });
    seed(vault, 'crm');
    const rotation = new TokenRotation({ project: project([oauth('crm')]), registry, vault: () => vault, log: capturingLogger(lines), schedule: '* * * * * *' });
    rotations.push(rotation);
    rotation.start();
    expect(rotation.describe()).toMatchObject({ cron: '* * * * * *', next: expect.any(Date) });
    await expect.poll(() => vault.get('crm')?.refreshToken, { timeout: 5_000, interval: 50 }).toMatch(/^rt-secret-\d+$/);
    expect(vault.get('crm')).toMatchObject({ rotatedAt: expect.any(String), scopes: ['contacts.readonly'] });
    const rotated = lines.filter((line) => line.includes('token rotated'));
    expect(rotated.length).toBeGreaterThanOrEqual(1);
    expect(rotated[0]).toContain('"connection":"crm"');
    expect(lines.join('\n')).not.toMatch(/[ar]t-secret/);
  });

  it('skips connections without a token and reports a refused rotation, never rejecting', async () => {
    const lines: string[] = [];
    const vault = createTokenVault({ store: memoryStore(), key: randomBytes(32) });
    seed(vault, 'crm');
    const rotation = new TokenRotation({ project: project([oauth('crm'), oauth('empty')]), registry, vault: () => vault, log: capturingLogger(lines), schedule: 'off' });
    refuse = true;
    const outcomes = await rotation.rotateAll();
    expect(outcomes).toEqual([
      { connection: 'crm', status: 'failed', error: expect.objectContaining({ code: 'AUTH_REVOKED' }) },
      { connection: 'empty', status: 'skipped', reason: 'no stored token' },
    ]);
    expect(lines.find((line) => line.includes('token rotation failed'))).toContain('ferry auth crm');
    expect(lines.join('\n')).not.toMatch(/[ar]t-secret/);
    rotation.start();
    expect(rotation.describe()).toBeUndefined();
  });
});

describe('the service and tokens', () => {
  let dir: string;
  let store: SqliteStore;
  const services: FerryService[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-rotation-'));
    store = openSqliteStore(join(dir, 'ferry.db'));
  });
  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const writes: PipelineSpec = {
    name: 'into-crm',
    file: '/project/pipelines/into-crm.yaml',
    on: [],
    from: { connection: 'crm', stream: 'contacts', sync: 'incremental' },
    to: { connection: 'crm', action: 'contacts.upsert' },
    map: {},
    // oxlint-disable-next-line unicorn/no-thenable -- a pipeline's follow-up steps, never awaited
    then: [],
    positions: {},
  };

  function service(vault: TokenVault, pipelines: PipelineSpec[], rotate: string): FerryService {
    const made = createService({
      project: project([oauth('crm')], dir),
      pipelines,
      registry,
      store,
      vault,
      log: capturingLogger([]),
      port: 0,
      host: '127.0.0.1',
      defaultMetrics: false,
      env: {},
      rotate,
    });
    services.push(made);
    return made;
  }

  it('refuses to start when a pipeline needs a scope the token lacks', async () => {
    const vault = createTokenVault({ store, key: randomBytes(32) });
    seed(vault, 'crm', ['contacts.readonly']);
    await expect(service(vault, [writes], 'off').start()).rejects.toMatchObject({
      code: 'AUTH_MISSING_SCOPE',
      message: "pipeline 'into-crm' needs scope 'contacts.write' on connection 'crm', which its token does not grant",
      hint: expect.stringContaining('ferry auth crm'),
    });
  });

  it('rotates the tokens on its schedule while it serves', async () => {
    const vault = createTokenVault({ store, key: randomBytes(32) });
    seed(vault, 'crm', ['contacts.readonly', 'contacts.write']);
    await service(vault, [writes], '* * * * * *').start();
    await expect.poll(() => vault.get('crm')?.rotatedAt, { timeout: 5_000, interval: 50 }).toBeDefined();
    expect(vault.get('crm')?.refreshToken).toMatch(/^rt-secret-\d+$/);
  });
});
