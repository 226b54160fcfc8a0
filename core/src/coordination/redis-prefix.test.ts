import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectorRegistry } from '../config/connector-registry.js';
import { parseProject } from '../config/project-loader.js';
import { defineConnector } from '../contract/connector.js';
import { forgetLimiters } from '../http/limiter-registry.js';
import { serveRecordingApi, type RecordingApi } from '../http/recording-api.fixture.js';
import { createContextFactory, type ContextFactory } from '../runtime/context-factory.js';
import { connectRedis } from './redis-connection.js';
import { DEFAULT_REDIS_PREFIX, rateKeyPrefix } from './redis-prefix.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
const log = pino({ level: 'silent' });

let admin: Redis;
let api: RecordingApi;
let dir: string;
beforeAll(async () => {
  admin = await connectRedis(REDIS_URL, { purpose: 'a test' });
  api = await serveRecordingApi(0);
  dir = mkdtempSync(join(tmpdir(), 'ferry-redis-prefix-'));
});
afterAll(async () => {
  await forgetLimiters();
  await api.close();
  admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

/** An API that allows two calls a day per account: a third one within the day is refused at once. */
const connector = defineConnector({
  name: 'api',
  version: '1.0.0',
  description: 'test API',
  configSchema: {},
  auth: [{ kind: 'none' }],
  limits: { windows: [{ max: 2, perMs: 86_400_000 }] },
  http: { baseUrl: () => api.url },
  streams: [],
  actions: [],
  triggers: [],
});
const registry = createConnectorRegistry([connector]);
/** How a call is refused when its account's budget is spent for longer than a call may wait. */
const spent = { code: 'HTTP_RATE_LIMITED', message: expect.stringContaining('the rate budget is spent') as string };

describe('the key prefix of ferry.yaml', () => {
  it('names the rate windows `<prefix>:rate`, `ferry:rate` by default', () => {
    expect(rateKeyPrefix(undefined)).toBe(`${DEFAULT_REDIS_PREFIX}:rate`);
    expect(rateKeyPrefix('staging')).toBe('staging:rate');
  });

  it('keeps the rate budgets of two prefixes apart in one Redis database; one prefix is one budget across processes', async () => {
    const account = `acct-${randomUUID()}`;
    const staging = `ferry-test-${randomUUID()}-staging`;
    const production = `ferry-test-${randomUUID()}-production`;
    const opened: ContextFactory[] = [];
    /** The contexts of a project on the same account, with `redis:` in its mapping form. */
    const projectWith = (prefix: string): ContextFactory => {
      const project = parseProject(
        `redis:\n  url: ${REDIS_URL}\n  prefix: ${prefix}\nconnections:\n  crm: { connector: api, config: { accountId: ${account} } }\n`,
        join(dir, 'ferry.yaml'),
        { registry, env: {} },
      );
      const contexts = createContextFactory({ project, registry, store: { getValue: () => undefined, setValue: () => undefined }, log });
      opened.push(contexts);
      return contexts;
    };
    const call = (contexts: ContextFactory): Promise<unknown> => contexts.context('crm').http.request({ method: 'GET', path: '/x' });

    try {
      const stagingProject = projectWith(staging);
      const productionProject = projectWith(production);
      await call(stagingProject);
      await call(stagingProject);
      // Staging spent its two calls of the day; production has its own two.
      await call(productionProject);
      await call(productionProject);
      await expect(call(stagingProject)).rejects.toMatchObject(spent);
      await expect(call(productionProject)).rejects.toMatchObject(spent);
      expect(api.arrivals).toHaveLength(4);

      const budgetKeys = async (prefix: string): Promise<string[]> => admin.keys(`${rateKeyPrefix(prefix)}:{api/${account}@x1}:*`);
      expect(await budgetKeys(staging)).not.toEqual([]);
      expect(await budgetKeys(production)).not.toEqual([]);
      expect(await budgetKeys(DEFAULT_REDIS_PREFIX)).toEqual([]);

      // As another process would: no limiter of this one remembers the calls, only Redis does.
      for (const contexts of opened.splice(0)) await contexts.close();
      await forgetLimiters();
      await expect(call(projectWith(staging))).rejects.toMatchObject(spent);
      await call(projectWith(`ferry-test-${randomUUID()}-other`));
      expect(api.arrivals).toHaveLength(5);
    } finally {
      for (const contexts of opened) await contexts.close();
      await forgetLimiters();
      const keys = await admin.keys(`ferry-test-*:rate:{api/${account}@*`);
      if (keys.length > 0) await admin.del(...keys);
    }
  });
});
