import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { findProjectFile, loadProject, parseProject } from './project-loader.js';
import { createConnectorRegistry } from './connector-registry.js';
import { chatConnector, testRegistry } from './test-connectors.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'ferry-project-')));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const registry = testRegistry;

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function projectError(text: string, env: Record<string, string> = {}): ConfigError {
  return errorOf(() => parseProject(text, join(dir, 'ferry.yaml'), { registry, env }));
}

describe('loadProject', () => {
  it('loads connections, defaults and pipeline files relative to the project directory', () => {
    mkdirSync(join(dir, 'pipelines'));
    mkdirSync(join(dir, 'more'));
    for (const name of ['b.yaml', 'a.yml', 'notes.txt']) writeFileSync(join(dir, 'pipelines', name), 'name: x\n');
    writeFileSync(join(dir, 'more', 'extra.yaml'), 'name: y\n');
    writeFileSync(
      join(dir, 'ferry.yaml'),
      [
        'connections:',
        '  crm:',
        '    connector: crm',
        '    config: { baseUrl: "${CRM_URL}", pageSize: "${PAGE:-50}" }',
        '    auth: { token: "${CRM_TOKEN}" }',
        '  crm-oauth:',
        '    connector: crm',
        '    config: { baseUrl: "http://127.0.0.1:9" }',
        '    auth: { clientId: id, clientSecret: "${SECRET}" }',
        '  chat: { connector: chat, auth: { kind: bearer } }',
        'pipelines: ["pipelines/*.{yaml,yml}", more/extra.yaml, "pipelines/b.yaml"]',
        'serve: { port: "${PORT}" }',
        'log: { level: debug, file: logs/ferry.log }',
      ].join('\n'),
    );
    const project = loadProject(join(dir, 'ferry.yaml'), {
      registry,
      env: { CRM_URL: 'http://127.0.0.1:8080/v1', CRM_TOKEN: 'tok', SECRET: 'shh', PORT: '9090' },
    });
    expect(project.file).toBe(join(dir, 'ferry.yaml'));
    expect(project.baseDir).toBe(dir);
    expect(project.store).toBe(join(dir, 'ferry.db'));
    expect(project.pipelineFiles).toEqual([join(dir, 'pipelines/a.yml'), join(dir, 'pipelines/b.yaml'), join(dir, 'more/extra.yaml')]);
    expect(project.serve).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(project.log).toEqual({ level: 'debug', file: join(dir, 'logs/ferry.log') });
    expect(project.connections['crm']).toEqual({
      name: 'crm',
      connector: 'crm',
      config: { baseUrl: 'http://127.0.0.1:8080/v1', pageSize: 50 },
      auth: { kind: 'bearer', token: 'tok' },
    });
    expect(project.connections['crm-oauth']?.auth).toEqual({ kind: 'oauth2', clientId: 'id', clientSecret: 'shh' });
    expect(project.connections['chat']?.auth).toEqual({ kind: 'bearer' });
  });

  it('takes the Redis URL of shared rate budgets from the environment', () => {
    const project = parseProject('redis: ${REDIS_URL}\n', join(dir, 'ferry.yaml'), { registry, env: { REDIS_URL: 'rediss://:pw@cache.internal:6380/2' } });
    expect(project.redis).toEqual({ url: 'rediss://:pw@cache.internal:6380/2' });
    expect(parseProject('store: ./x.db\n', join(dir, 'ferry.yaml'), { registry, env: {} }).redis).toBeUndefined();
  });

  it('takes redis as a mapping of url and key prefix, either part from the environment', () => {
    const parse = (text: string, env: Record<string, string> = {}): unknown => parseProject(text, join(dir, 'ferry.yaml'), { registry, env }).redis;
    expect(parse('redis:\n  url: redis://127.0.0.1:6379/0\n  prefix: staging\n')).toEqual({ url: 'redis://127.0.0.1:6379/0', prefix: 'staging' });
    expect(parse('redis: { url: redis://127.0.0.1:6379/0 }\n')).toEqual({ url: 'redis://127.0.0.1:6379/0' });
    expect(parse('redis: { url: "${REDIS_URL}", prefix: "acme:${STAGE}" }\n', { REDIS_URL: 'rediss://:pw@cache.internal:6380/2', STAGE: 'test' })).toEqual({
      url: 'rediss://:pw@cache.internal:6380/2',
      prefix: 'acme:test',
    });
  });

  it('uses pipelines/*.yaml by default and keeps a store URL as it is', () => {
    mkdirSync(join(dir, 'pipelines'));
    writeFileSync(join(dir, 'pipelines', 'one.yaml'), 'name: one\n');
    const project = parseProject('store: postgres://127.0.0.1/ferry\n', join(dir, 'ferry.yaml'), { registry, env: {} });
    expect(project.pipelineFiles).toEqual([join(dir, 'pipelines/one.yaml')]);
    expect(project.store).toBe('postgres://127.0.0.1/ferry');
    expect(project.connections).toEqual({});
  });

  it('reads the scopes a bearer token was created with and the token rotation schedule', () => {
    const project = parseProject(
      ['connections:', '  crm: { connector: crm, config: { baseUrl: "http://127.0.0.1:9" }, auth: { token: t, scopes: [contacts.readonly] } }', "serve: { rotate: '*/30 * * * *' }"].join('\n'),
      join(dir, 'ferry.yaml'),
      { registry, env: {} },
    );
    expect(project.connections['crm']?.auth).toEqual({ kind: 'bearer', token: 't', scopes: ['contacts.readonly'] });
    expect(project.serve).toEqual({ host: '127.0.0.1', port: 8787, rotate: '*/30 * * * *' });
    expect(parseProject('serve: { rotate: off }\n', join(dir, 'ferry.yaml'), { registry, env: {} }).serve.rotate).toBe('off');
  });

  it('names a missing file', () => {
    const error = errorOf(() => loadProject(join(dir, 'ferry.yaml'), { registry, env: {} }));
    expect(error.code).toBe('CONFIG_NOT_FOUND');
    expect(error.message).toBe(`${join(dir, 'ferry.yaml')}:1:1: no such file`);
  });
});

describe('project file errors name file:line:column', () => {
  const file = () => join(dir, 'ferry.yaml');

  it('unknown connector, with a suggestion from the installed ones', () => {
    const error = projectError('connections:\n  crm:\n    connector: crn\n');
    expect(error.code).toBe('CONFIG_UNKNOWN_CONNECTOR');
    expect(error.message).toBe(`${file()}:3:16: unknown connector 'crn' for connection 'crm' — did you mean 'crm'?`);
    expect(error.hint).toBe('installed connectors: crm, chat (`ferry catalog` describes them)');
  });

  it('unknown key, with a suggestion and the allowed keys', () => {
    const error = projectError('conections: {}\n');
    expect(error.code).toBe('CONFIG_UNKNOWN_KEY');
    expect(error.message).toBe(`${file()}:1:1: unknown key 'conections' — did you mean 'connections'?`);
    expect(error.hint).toBe("rename it to 'connections', or use one of: store, redis, connections, pipelines, serve, log");
  });

  it('wrong type', () => {
    const error = projectError('serve:\n  host: 127.0.0.1\n  port: [80]\n');
    expect(error.code).toBe('CONFIG_SCHEMA');
    expect(error.message).toBe(`${file()}:3:9: 'serve.port' must be an integer, not a list`);
    expect(error.hint).toMatch(/^'serve\.port': Port to listen on/);
  });

  it("a connection's config against its connector's schema", () => {
    const missing = projectError('connections:\n  crm:\n    connector: crm\n    auth: { token: t }\n');
    expect(missing.code).toBe('CONFIG_BAD_CONNECTION');
    expect(missing.message).toBe(`${file()}:2:3: 'connections.crm.config' is missing 'baseUrl'`);
    expect(missing.hint).toBe("add 'baseUrl:' (Base URL of the API)");

    const wrong = projectError('connections:\n  crm:\n    connector: crm\n    auth: { token: t }\n    config:\n      baseUrl: http://x\n      pageSize: 0\n      lokationId: x\n');
    expect(wrong.message).toBe(`${file()}:7:17: 'connections.crm.config.pageSize' must be >= 1`);
    expect(wrong.others.map((other) => other.message)).toEqual([
      `${file()}:8:7: unknown key 'lokationId' in 'connections.crm.config' — did you mean 'locationId'?`,
    ]);
    expect(wrong.others[0]?.code).toBe('CONFIG_UNKNOWN_KEY');
  });

  it('missing environment variables, after the shape of the file is right', () => {
    const shapeFirst = projectError('serve: { port: "${PORT}", hots: x }\n');
    expect(shapeFirst.code).toBe('CONFIG_UNKNOWN_KEY');
    const error = projectError('connections:\n  crm:\n    connector: crm\n    config: { baseUrl: http://x }\n    auth:\n      token: ${CRM_TOKEN}\n');
    expect(error.code).toBe('CONFIG_MISSING_ENV');
    expect(error.message).toBe(`${file()}:6:14: environment variable CRM_TOKEN is not set (used by 'connections.crm.auth.token')`);
    expect(error.hint).toMatch(/^export CRM_TOKEN=… or put it in \.env/);
  });

  it('never shows a value that came from the environment', () => {
    const secret = 'sk_live_very_secret';
    const error = projectError('serve: { port: "${PORT}" }\nconnections:\n  chat: { connector: chat, auth: { token: "${PORT}" } }\n', { PORT: secret });
    expect(error.message).toBe(`${file()}:1:16: 'serve.port' (from \${PORT}) must be an integer, not a string`);
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
    expect(error.describeAll()).not.toContain(secret);
  });

  it('auth the connector does not accept, and incomplete oauth2', () => {
    const kind = projectError('connections:\n  chat:\n    connector: chat\n    auth: { kind: oauth2, clientId: a, clientSecret: b }\n');
    expect(kind.code).toBe('CONFIG_BAD_AUTH');
    expect(kind.message).toBe(`${file()}:4:19: connector 'chat' does not accept oauth2 auth (connection 'chat')`);
    const oauth = projectError('connections:\n  crm:\n    connector: crm\n    config: { baseUrl: http://x }\n    auth: { kind: oauth2, clientId: a }\n');
    expect(oauth.message).toBe(`${file()}:5:5: oauth2 connection 'crm' is missing clientSecret`);
    expect(oauth.hint).toBe('add auth.clientSecret: ${CRM_CLIENT_SECRET} (from the app registered with the provider)');
    const none = projectError('connections:\n  crm:\n    connector: crm\n    config: { baseUrl: http://x }\n');
    expect(none.message).toBe(`${file()}:2:3: connection 'crm' has no auth`);
    expect(none.hint).toMatch(/auth: \{ token: \$\{CRM_TOKEN\} \}/);
  });

  it('a connector whose own schema is broken', () => {
    const broken = { ...chatConnector, name: 'broken', configSchema: { type: 'no-such-type' } };
    const error = errorOf(() =>
      parseProject('connections:\n  b: { connector: broken, auth: { token: t } }\n', join(dir, 'ferry.yaml'), {
        registry: createConnectorRegistry([broken]),
        env: {},
      }),
    );
    expect(error.code).toBe('CONFIG_BAD_CONNECTOR');
    expect(error.message).toMatch(new RegExp(`^${file()}:2:3: connector 'broken' declares an invalid JSON Schema for its config: `));
    expect(error.hint).toMatch(/defect of connector 'broken'/);
  });

  it('a pipeline file that does not exist', () => {
    const error = projectError('pipelines:\n  - pipelines/a.yaml\n');
    expect(error.code).toBe('CONFIG_NOT_FOUND');
    expect(error.message).toBe(`${file()}:2:5: no pipeline file 'pipelines/a.yaml'`);
  });

  it('a connection name that pipelines could not refer to', () => {
    const error = projectError('connections:\n  "crm/eu": { connector: crm }\n');
    expect(error.code).toBe('CONFIG_SCHEMA');
    expect(error.message).toMatch(new RegExp(`^${file()}:2:3: key 'crm/eu' must be letters, digits`));
  });

  it('a redis URL that is not redis:// or rediss://, without showing a value from the environment', () => {
    const error = projectError('store: ./ferry.db\nredis: http://127.0.0.1:6379\n');
    expect(error.code).toBe('CONFIG_SCHEMA');
    expect(error.message).toBe(`${file()}:2:8: 'redis' must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0`);
    expect(error.hint).toMatch(/shared rate budgets/);
    const secret = 'http://:hunter2@redis.internal:6379';
    const fromEnv = projectError('redis: ${REDIS_URL}\n', { REDIS_URL: secret });
    expect(fromEnv.message).toBe(`${file()}:1:8: 'redis' (from \${REDIS_URL}) must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0`);
    expect(JSON.stringify(fromEnv.toJSON())).not.toContain('hunter2');
  });

  it('a redis mapping that is wrong, each problem at its line and column', () => {
    const badUrl = projectError('store: ./ferry.db\nredis:\n  url: http://127.0.0.1:6379\n  prefix: staging\n');
    expect(badUrl.code).toBe('CONFIG_SCHEMA');
    expect(badUrl.message).toBe(`${file()}:3:8: 'redis.url' must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0`);

    const typo = projectError('redis:\n  url: redis://127.0.0.1:6379/0\n  prefx: staging\n');
    expect(typo.code).toBe('CONFIG_UNKNOWN_KEY');
    expect(typo.message).toBe(`${file()}:3:3: unknown key 'prefx' in 'redis' — did you mean 'prefix'?`);
    expect(typo.hint).toBe("rename it to 'prefix', or use one of: url, prefix");

    const badPrefix = projectError('redis:\n  url: redis://127.0.0.1:6379/0\n  prefix: "stag ing"\n');
    expect(badPrefix.message).toBe(
      `${file()}:3:11: 'redis.prefix' must be letters, digits, '.', '-' and '_' (parts may be joined by ':'), starting with a letter or digit, e.g. staging`,
    );
    expect(badPrefix.hint).toMatch(/share rate budgets/);
    expect(projectError('redis: { url: redis://127.0.0.1:6379/0, prefix: 7 }\n').message).toBe(`${file()}:1:49: 'redis.prefix' must be a string, not an integer`);

    const expected = "expected a redis:// or rediss:// URL, or a mapping { url: redis://…, prefix: staging }";
    expect(projectError('redis:\n  prefix: staging\n').message).toBe(`${file()}:2:3: 'redis': ${expected}`);
    expect(projectError('redis: [redis://127.0.0.1:6379/0]\n').message).toBe(`${file()}:1:8: 'redis': ${expected}`);

    const secret = 'http://:hunter2@redis.internal:6379';
    const fromEnv = projectError('redis:\n  url: ${REDIS_URL}\n', { REDIS_URL: secret });
    expect(fromEnv.message).toBe(`${file()}:2:8: 'redis.url' (from \${REDIS_URL}) must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0`);
    expect(JSON.stringify(fromEnv.toJSON())).not.toContain('hunter2');
  });

  it('a token rotation schedule that is not a cron expression', () => {
    const error = projectError('serve:\n  rotate: every night\n');
    expect(error.code).toBe('CONFIG_BAD_SCHEDULE');
    expect(error.message).toMatch(new RegExp(`^${file()}:2:11: serve.rotate 'every night' is not a cron expression`));
    expect(error.hint).toContain('17 3 * * *');
  });

  it('an empty file', () => {
    const error = projectError('# nothing yet\n');
    expect(error.message).toBe(`${file()}:1:1: the file is empty: expected a mapping`);
  });
});

describe('findProjectFile', () => {
  it('finds ferry.yaml (or ferry.yml) in the directory or above it', () => {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'ferry.yml'), '{}\n');
    expect(findProjectFile(join(dir, 'a', 'b'))).toBe(join(dir, 'ferry.yml'));
    writeFileSync(join(dir, 'a', 'ferry.yaml'), '{}\n');
    expect(findProjectFile(join(dir, 'a', 'b'))).toBe(join(dir, 'a', 'ferry.yaml'));
    mkdirSync(join(dir, 'a', 'b', 'ferry.yaml'));
    expect(findProjectFile(join(dir, 'a', 'b'))).toBe(join(dir, 'a', 'ferry.yaml'));
  });
});
