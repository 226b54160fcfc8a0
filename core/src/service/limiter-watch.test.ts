import { describe, expect, it } from 'vitest';
import { defineConnector } from '../contract/connector.js';
import type { ProjectSpec } from '../contract/pipeline.js';
import { createConnectorRegistry } from '../config/connector-registry.js';
import { createTestContext } from '../testing/create-test-context.js';
import { LimiterWatch } from './run-executor.js';

const api = defineConnector({
  name: 'limiter-watch-api',
  version: '0.0.0',
  description: 'an HTTP connector for the limiter watch',
  configSchema: { type: 'object' },
  auth: [{ kind: 'none' }],
  limits: { windows: [{ max: 10, perMs: 1_000 }] },
  http: { baseUrl: () => 'http://127.0.0.1:9' },
  streams: [],
  actions: [],
  triggers: [],
});

const project: ProjectSpec = {
  file: '/tmp/ferry.yaml',
  baseDir: '/tmp',
  store: './ferry.db',
  connections: { agency: { name: 'agency', connector: api.name, config: {}, auth: { kind: 'none' }, partitions: 'discover' } },
  pipelineFiles: [],
  serve: { host: '127.0.0.1', port: 0 },
  log: { level: 'silent' },
};

describe('LimiterWatch', () => {
  it('shows one limiter per location of a partitioned connection, each once', () => {
    const watch = new LimiterWatch(createConnectorRegistry([api]), project, undefined);
    for (const account of ['locA', 'locB', 'locA']) watch.seen(createTestContext({ connection: 'agency', account }));

    expect(watch.queues()).toEqual([
      { connection: 'agency', account: 'locA', queued: 0 },
      { connection: 'agency', account: 'locB', queued: 0 },
    ]);
  });
});
