import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '@ferry/connector-builtin';
import { createConnectorRegistry, openStore, type Logger, type Store } from '@ferry/core';
import type { OpenPipelineResponse, PreviewResponse, ProjectView, SaveResponse } from '../shared/api-types.js';
import { startStudio, type StudioServer } from './studio-server.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

const PIPELINE = `# Contacts into the warehouse.
name: contacts-to-warehouse
from: { connection: source, stream: records, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map:
  id: id
  # normalised to E.164
  phone: { from: phone, convert: phone-e164 }
`;

describe('studio server (loopback HTTP)', () => {
  let dir: string;
  let store: Store;
  let studio: StudioServer;
  const call = (path: string, init: RequestInit & { token?: string | false } = {}): Promise<Response> => {
    const { token, ...rest } = init;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(rest.headers as Record<string, string> | undefined) };
    if (token !== false) headers['x-ferry-studio-token'] = token ?? studio.token;
    return fetch(`${studio.origin}${path}`, { ...rest, headers, redirect: 'manual' });
  };
  const post = (path: string, body: unknown, token?: string | false): Promise<Response> =>
    call(path, { method: 'POST', body: JSON.stringify(body), ...(token === undefined ? {} : { token }) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-server-'));
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'pipelines'));
    mkdirSync(join(dir, 'app'));
    mkdirSync(`${dir}-outside`);
    writeFileSync(join(dir, 'app', 'index.html'), '<!doctype html><title>studio</title>');
    writeFileSync(
      join(dir, 'ferry.yaml'),
      'store: state/ferry.db\nconnections:\n  source:\n    connector: csv\n    config: { path: data/contacts.csv, primaryKey: id }\n  warehouse:\n    connector: sqlite\n    config: { path: warehouse.db }\npipelines: [pipelines/*.yaml]\n',
    );
    writeFileSync(join(dir, 'data', 'contacts.csv'), 'id,name,email,phone\n1,Ada,ADA@Example.com,(213) 373-4253\n2,Alan,alan@example.com,not a phone\n');
    writeFileSync(join(dir, 'pipelines', 'contacts.yaml'), PIPELINE);
    store = openStore('state/ferry.db', dir);
    studio = await startStudio({
      projectFile: join(dir, 'ferry.yaml'),
      registry: createConnectorRegistry(builtinConnectors),
      store,
      log: quiet,
      staticDir: join(dir, 'app'),
      env: {},
    });
  });
  afterAll(async () => {
    await studio.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-outside`, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and hands out a 256-bit token in its URL', () => {
    expect(studio.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(studio.url).toBe(`${studio.origin}/?token=${studio.token}`);
    expect(Buffer.from(studio.token, 'base64url').length).toBeGreaterThanOrEqual(16);
  });

  it('answers 401 to requests without the token or with a wrong one, for the API and the page alike', async () => {
    for (const [path, token] of [
      ['/api/project', false],
      ['/api/project', 'wrong'],
      ['/api/pipeline?file=pipelines/contacts.yaml', `${'x'.repeat(43)}`],
      ['/', false],
      ['/index.html', false],
    ] as const) {
      const response = await call(path, { token });
      expect(response.status, path).toBe(401);
    }
    const save = await post('/api/save', { file: 'pipelines/x.yaml', draft: {} }, false);
    expect(save.status).toBe(401);
  });

  it('trades the token in the URL for a SameSite=Strict HttpOnly cookie, which then opens the API', async () => {
    const first = await call(`/?token=${studio.token}`, { token: false });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/HttpOnly/);
    const page = await call('/', { token: false, headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const bad = await call(`/?token=nope`, { token: false });
    expect(bad.status).toBe(401);
  });

  it('refuses requests that name another host (DNS rebinding) and cross-site posts', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${studio.origin}/api/project`, { headers: { host: 'evil.example:80', 'x-ferry-studio-token': studio.token } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
    const foreign = await call('/api/save', { method: 'POST', body: '{}', headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    const form = await call('/api/save', { method: 'POST', body: 'file=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(400);
  });

  it('lists connections, pipelines and converters from the connector objects', async () => {
    const view = (await (await call('/api/project')).json()) as ProjectView;
    expect(view.connections.map((connection) => connection.name)).toEqual(['source', 'warehouse']);
    expect(view.connections[0]?.streams[0]).toMatchObject({ name: 'records', primaryKey: 'id' });
    expect(view.connections[1]?.actions.map((action) => action.name)).toContain('upsert');
    expect(view.pipelines).toEqual([{ file: 'pipelines/contacts.yaml', name: 'contacts-to-warehouse', source: 'source/records', destination: 'warehouse/upsert' }]);
    expect(view.converters.map((converter) => converter.name)).toContain('phone-e164');
  });

  it('previews a draft: per-field values and errors, and the engine dry run decides create', async () => {
    const opened = (await (await call('/api/pipeline?file=pipelines/contacts.yaml')).json()) as OpenPipelineResponse;
    const draft = { ...opened.draft, map: { ...opened.draft.map, email: { from: 'email', convert: 'email' } } };
    const preview = (await (await post('/api/preview', { file: opened.file, draft })).json()) as PreviewResponse;
    expect(preview.problems).toEqual([]);
    expect(preview.planned).toBe(true);
    expect(preview.rows).toHaveLength(2);
    expect(preview.rows[0]).toMatchObject({ sourceId: '1', outcome: 'create', fields: { email: { value: 'ada@example.com' }, phone: { value: '+12133734253' } } });
    expect(preview.rows[1]?.outcome).toBe('error');
    expect(preview.rows[1]?.fields['phone']).toHaveProperty('error');
    expect(preview.text).toContain('email: { from: email, convert: email }');
    expect(readFileSync(join(dir, 'pipelines', 'contacts.yaml'), 'utf8')).toBe(PIPELINE);
  });

  it('saves a valid draft, keeping the comments, and refuses a stale one', async () => {
    const opened = (await (await call('/api/pipeline?file=pipelines/contacts.yaml')).json()) as OpenPipelineResponse;
    const draft = { ...opened.draft, map: { ...opened.draft.map, email: { from: 'email', convert: 'email' } } };
    const response = await post('/api/save', { file: opened.file, draft, baseHash: opened.hash });
    expect(response.status).toBe(200);
    const saved = (await response.json()) as SaveResponse;
    const text = readFileSync(join(dir, 'pipelines', 'contacts.yaml'), 'utf8');
    expect(text).toBe(saved.text);
    expect(text).toContain('# Contacts into the warehouse.\n');
    expect(text).toContain('# normalised to E.164\n  phone: { from: phone, convert: phone-e164 }');
    expect(text).toContain('email: { from: email, convert: email }');
    const stale = await post('/api/save', { file: opened.file, draft, baseHash: opened.hash });
    expect(stale.status).toBe(409);
  });

  it('refuses to write an invalid pipeline and says where the problem is', async () => {
    const opened = (await (await call('/api/pipeline?file=pipelines/contacts.yaml')).json()) as OpenPipelineResponse;
    const before = readFileSync(join(dir, 'pipelines', 'contacts.yaml'), 'utf8');
    const draft = { ...opened.draft, map: { ...opened.draft.map, email: { from: 'email', convert: 'emial' } } };
    const response = await post('/api/save', { file: opened.file, draft, baseHash: opened.hash });
    expect(response.status).toBe(422);
    const body = (await response.json()) as { problems: { line?: number; column?: number; field?: string; message: string }[] };
    expect(body.problems[0]).toMatchObject({ field: 'email' });
    expect(body.problems[0]?.line).toBeGreaterThan(1);
    expect(readFileSync(join(dir, 'pipelines', 'contacts.yaml'), 'utf8')).toBe(before);
  });

  it('writes only .yaml files inside the project, never through a symbolic link, never over a file it did not open', async () => {
    const draft = { name: 'elsewhere', from: { connection: 'source', stream: 'records' }, to: { connection: 'warehouse', action: 'upsert' }, map: { id: 'id' } };
    symlinkSync(`${dir}-outside`, join(dir, 'pipelines', 'out'));
    for (const [file, status] of [
      ['../escape.yaml', 403],
      [`${dir}-outside/x.yaml`, 403],
      ['pipelines/out/x.yaml', 403],
      ['pipelines/x.json', 403],
      ['ferry.yaml', 403],
      ['pipelines/contacts.yaml', 409],
    ] as const) {
      const response = await post('/api/save', { file, draft });
      expect(response.status, file).toBe(status);
    }
    expect(existsSync(join(dir, '..', 'escape.yaml'))).toBe(false);
    expect(existsSync(join(`${dir}-outside`, 'x.yaml'))).toBe(false);
    const created = await post('/api/save', { file: 'pipelines/elsewhere.yaml', draft });
    expect(created.status).toBe(200);
    expect(readFileSync(join(dir, 'pipelines', 'elsewhere.yaml'), 'utf8')).toContain('name: elsewhere');
  });
});
