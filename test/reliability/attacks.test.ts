import { chmodSync } from 'node:fs';
import { generateKeyPairSync, sign } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ghlSandbox, SANDBOX_LOCATION_ID } from '@ferry/connector-ghl/sandbox';
import { serveSandbox, type ServedSandbox } from '@ferry/core';
import { ferry, spawnFerry, waitFor, type FerryProcess } from '../support/ferry-cli.js';
import { createTempProject, type TempProject } from '../support/temp-project.js';
import { connectOauth } from './support/oauth-connect.js';

const URL_SECRET = 'attack-url-secret-0123456789abcdef';
const LOCATION = 'loc-attack';

function inbox(storeFile: string): number {
  const db = new Database(storeFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM webhook_inbox').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Forged, stale, replayed, misaddressed, oversized and malformed deliveries are refused before anything is stored. */
describe('webhook attacks on ferry serve', () => {
  const keys = generateKeyPairSync('ed25519');
  const publicKey = keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  let project: TempProject;
  let serving: FerryProcess;
  let url: string;

  beforeAll(async () => {
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  ghl:
    connector: ghl
    config: { locationId: ${LOCATION}, webhookPublicKey: "${publicKey}", webhookMaxAgeSeconds: 300 }
    auth: { kind: bearer, token: pit-attack-token }
  salesmsg:
    connector: salesmsg
    config: { baseUrl: "http://127.0.0.1:9/pub/v2.3", webhookSecret: ${URL_SECRET} }
    auth: { kind: bearer, token: sandbox-token }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`,
      'pipelines/ghl.yaml': `name: ghl-in
on: [{ webhook: ghl/ContactCreate }]
from: { connection: ghl, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: ghl } }
map: { id: id, email: email }
`,
      'pipelines/salesmsg.yaml': `name: salesmsg-in
on: [{ webhook: salesmsg/contact.created }]
from: { connection: salesmsg, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: salesmsg } }
map: { id: id, email: email }
`,
    });
    serving = spawnFerry(['--json', 'serve', '--port', '0'], { cwd: project.dir, timeoutMs: 120_000 });
    url = await waitFor(
      () => {
        const line = serving.stdout().split('\n').find((l) => l.startsWith('{'));
        if (line === undefined && serving.child.exitCode !== null) throw new Error(serving.stderr());
        return line === undefined ? undefined : (JSON.parse(line) as { url: string }).url;
      },
      'ferry serve',
      30_000,
    );
  });
  afterAll(async () => {
    serving.child.kill('SIGKILL');
    await serving.exited.catch(() => undefined);
    project.remove();
  });

  function ghlBody(overrides: Record<string, unknown> = {}): Buffer {
    return Buffer.from(JSON.stringify({ type: 'ContactCreate', webhookId: `wh-${Math.random()}`, timestamp: new Date().toISOString(), locationId: LOCATION, id: 'c-1', email: 'a@example.com', ...overrides }));
  }
  const post = (path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const signed = (body: Buffer): Record<string, string> => ({ 'x-ghl-signature': sign(null, body, keys.privateKey).toString('base64') });

  it('refuses every attack with a 4xx and stores none of them', async () => {
    const other = generateKeyPairSync('ed25519');
    const attacks: [string, () => Promise<Response>][] = [
      ['GHL: no signature', () => post('/webhooks/ghl/ContactCreate', ghlBody())],
      ['GHL: signature of another key', () => post('/webhooks/ghl/ContactCreate', ghlBody(), { 'x-ghl-signature': sign(null, ghlBody(), other.privateKey).toString('base64') })],
      ['GHL: signature over another body', () => post('/webhooks/ghl/ContactCreate', ghlBody({ id: 'c-2' }), signed(ghlBody()))],
      ['GHL: garbage signature', () => post('/webhooks/ghl/ContactCreate', ghlBody(), { 'x-ghl-signature': '%%%not-base64%%%' })],
      ['GHL: stale timestamp', () => {
        const body = ghlBody({ timestamp: new Date(Date.now() - 3_600_000).toISOString() });
        return post('/webhooks/ghl/ContactCreate', body, signed(body));
      }],
      ['GHL: timestamp from the future', () => {
        const body = ghlBody({ timestamp: new Date(Date.now() + 3_600_000).toISOString() });
        return post('/webhooks/ghl/ContactCreate', body, signed(body));
      }],
      ['GHL: another location', () => {
        const body = ghlBody({ locationId: 'someone-else' });
        return post('/webhooks/ghl/ContactCreate', body, signed(body));
      }],
      ['GHL: signed malformed JSON', () => {
        const body = Buffer.from('{"type":"ContactCreate",');
        return post('/webhooks/ghl/ContactCreate', body, signed(body));
      }],
      ['Salesmsg: no URL secret', () => post('/webhooks/salesmsg/contact.created', JSON.stringify({ event: 'contact.created', data: { contact: { id: 1 } } }))],
      ['Salesmsg: wrong URL secret', () => post(`/webhooks/salesmsg/contact.created/${URL_SECRET.slice(0, -1)}x`, JSON.stringify({ event: 'contact.created', data: { contact: { id: 1 } } }))],
      ['Salesmsg: secret of the right length, one byte off', () => post(`/webhooks/salesmsg/contact.created/${URL_SECRET.replace('a', 'b')}`, '{}')],
      ['Salesmsg: malformed body', () => post(`/webhooks/salesmsg/contact.created/${URL_SECRET}`, '{"event":')],
      ['Salesmsg: oversized body (12 MB)', () => post(`/webhooks/salesmsg/contact.created/${URL_SECRET}`, `{"event":"contact.created","pad":"${'x'.repeat(12_000_000)}"}`)],
      ['Salesmsg: prototype keys', () => post(`/webhooks/salesmsg/contact.created/${URL_SECRET}`, '{"__proto__":{"x":1},"constructor":{"prototype":{"x":1}}}')],
      ['unknown trigger', () => post(`/webhooks/salesmsg/contact.exploded/${URL_SECRET}`, '{}')],
      ['path traversal', () => post(`/webhooks/../../etc/passwd`, '{}')],
    ];
    const statuses: Record<string, number> = {};
    for (const [name, attack] of attacks) {
      const response = await attack().catch(() => undefined);
      statuses[name] = response?.status ?? 0; // 0: the connection was cut (oversized body)
      await response?.text().catch(() => undefined);
    }
    for (const [name, status] of Object.entries(statuses)) expect([name, status >= 400 && status < 500 ? 'refused' : status === 0 ? 'refused' : status]).toEqual([name, 'refused']);
    expect(inbox(project.path('state/ferry.db'))).toBe(0);

    // A valid delivery is taken once; its replay is acknowledged without a second row.
    const body = ghlBody({ webhookId: 'wh-replayed' });
    expect((await post('/webhooks/ghl/ContactCreate', body, signed(body))).status).toBe(202);
    expect((await post('/webhooks/ghl/ContactCreate', body, signed(body))).status).toBe(200);
    expect(inbox(project.path('state/ferry.db'))).toBe(1);
  }, 60_000);
});

/** Least privilege: a read-only pipeline asks for and uses only read scopes; listeners bind 127.0.0.1. */
describe('least privilege', () => {
  let sandbox: ServedSandbox;
  let project: TempProject;
  beforeAll(async () => {
    sandbox = await serveSandbox(ghlSandbox, { host: '127.0.0.1', port: 0, seed: 2, size: 30, timeScale: 0 });
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  ghl:
    connector: ghl
    config: { baseUrl: "\${GHL_URL}", locationId: ${SANDBOX_LOCATION_ID} }
    auth: { kind: oauth2, clientId: sandbox-client-id, clientSecret: sandbox-client-secret }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`,
      'pipelines/read.yaml': `name: ghl-to-warehouse
from: { connection: ghl, stream: contacts }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map: { id: id, email: email }
`,
    });
  });
  afterAll(async () => {
    project.remove();
    await sandbox.close();
  });

  it('asks only for contacts.readonly, binds its redirect listener to 127.0.0.1, and reads with a read-only token', async () => {
    const env = { GHL_URL: sandbox.url };
    const auth = await connectOauth('ghl', project.dir, env);
    expect(auth.code, auth.stderr).toBe(0);
    const authorizeUrl = new URL(/http:\/\/127\.0\.0\.1:\d+\/\S*oauth\S*/.exec(auth.stderr)?.[0] ?? 'http://x');
    expect(authorizeUrl.searchParams.get('scope')).toBe('contacts.readonly');
    expect(new URL(authorizeUrl.searchParams.get('redirect_uri') ?? '').hostname).toBe('127.0.0.1');
    expect(auth.stdout).toMatch(/scopes\s+contacts\.readonly\s*$/m);
    const run = await ferry(['run', 'ghl-to-warehouse'], { cwd: project.dir, env });
    expect(run.code, run.stderr).toBe(0);
    const stats = sandbox.instance.stats() as { byStatus: Record<string, number>; byOperation: Record<string, number> };
    expect(Object.keys(stats.byStatus).filter((s) => Number(s) >= 400)).toEqual([]); // no write attempted, no scope refusal
    expect(Object.keys(stats.byOperation).filter((op) => /upsert|create|update|delete|add|remove/i.test(op))).toEqual([]);
    expect(Object.keys(stats.byOperation).length).toBeGreaterThan(0);
  }, 60_000);

  it('ferry serve binds 127.0.0.1 by default', async () => {
    const serving = spawnFerry(['--json', 'serve', '--port', '0'], { cwd: project.dir, env: { GHL_URL: sandbox.url } });
    const served = await waitFor(() => serving.stdout().split('\n').find((l) => l.startsWith('{')), 'ferry serve', 30_000);
    serving.child.kill('SIGTERM');
    await serving.exited;
    expect(new URL((JSON.parse(served) as { url: string }).url).hostname).toBe('127.0.0.1');
  }, 60_000);
});

/** A store that cannot be used (read-only, not a database, a directory): a clear message, exit 3, no stack trace. */
describe('store failures at the command line', () => {
  let project: TempProject;
  beforeAll(() => {
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  source: { connector: csv, config: { path: data.csv } }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`,
      'data.csv': 'id,email\n1,a@example.com\n',
      'pipelines/p.yaml': 'name: p\nfrom: { connection: source, stream: records }\nto: { connection: warehouse, action: upsert, with: { table: t } }\n',
    });
  });
  afterAll(() => {
    chmodSync(project.path('state'), 0o700);
    project.remove();
  });

  it('a read-only store file: exit 3, one clear error with a hint, no stack trace', async () => {
    expect((await ferry(['run', 'p'], { cwd: project.dir })).code).toBe(0);
    chmodSync(project.path('state/ferry.db'), 0o400);
    chmodSync(project.path('state'), 0o500);
    const out = await ferry(['run', 'p', '--full'], { cwd: project.dir });
    chmodSync(project.path('state'), 0o700);
    chmodSync(project.path('state/ferry.db'), 0o600);
    if (process.getuid?.() === 0) {
      // root writes through file modes: the check says nothing here.
      expect([0, 3]).toContain(out.code);
      return;
    }
    expect(out.code, out.stdout + out.stderr).toBe(3);
    expect(out.stderr).toMatch(/error: .*(store|read-only|readonly|writ)/i);
    expect(out.stderr).toContain('hint:');
    expect(out.stderr).not.toMatch(/^\s+at /m);
  });

  for (const [what, prepare] of [
    ['a store file that is not a database', (p: TempProject) => p.write('state/ferry.db', 'this is not an SQLite file '.repeat(200))],
    ['a store path that is a directory', (p: TempProject) => p.write('state/ferry.db/inside', 'x')],
  ] as const) {
    it(`${what}: exit 3, one clear error with a hint, no stack trace`, async () => {
      const other = createTempProject({
        'ferry.yaml': 'store: state/ferry.db\nconnections:\n  source: { connector: csv, config: { path: data.csv } }\n  warehouse: { connector: sqlite, config: { path: warehouse.db } }\npipelines: [pipelines/*.yaml]\n',
        'data.csv': 'id\n1\n',
        'pipelines/p.yaml': 'name: p\nfrom: { connection: source, stream: records }\nto: { connection: warehouse, action: upsert, with: { table: t } }\n',
      });
      try {
        prepare(other);
        const out = await ferry(['run', 'p'], { cwd: other.dir });
        expect(out.code, out.stdout + out.stderr).toBe(3);
        const text = out.stdout + out.stderr;
        expect(text).toMatch(/error: .*(store|database)/i);
        expect(text).toContain('hint:');
        expect(text).not.toMatch(/^\s+at /m);
      } finally {
        other.remove();
      }
    });
  }
});
