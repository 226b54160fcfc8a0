import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis, RunQueueProducer, type Logger } from '@ferry/core';
import { builtinConnectors } from '@ferry/connector-builtin';
import type { CliIo } from './cli-io.js';
import { runCli } from './cli.js';
import { createRegistry } from './registry.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const registry = createRegistry(builtinConnectors);

function bufferIo(cwd: string): CliIo & { out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  return { stdout, stderr, cwd, env: {}, signals: new EventEmitter(), exit: () => undefined, out: () => out, err: () => err };
}

/** A project whose `people` pipeline reads one jsonl file per partition (east, west). */
function project(redis: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-enqueue-'));
  writeFileSync(
    join(dir, 'ferry.yaml'),
    `store: ./ferry.db
${redis ? `redis: ${REDIS_URL}\n` : ''}connections:
  files:
    connector: jsonl
    config: { path: east.jsonl }
    partitions:
      - { id: east, config: { path: east.jsonl } }
      - { id: west, config: { path: west.jsonl } }
  out: { connector: jsonl, config: { path: out.jsonl } }
pipelines: [people.yaml]
`,
  );
  writeFileSync(join(dir, 'people.yaml'), 'name: people\nfrom: { connection: files, stream: records }\nto: { connection: out, action: append }\n');
  return dir;
}

async function removeKeys(prefix: string): Promise<void> {
  const redis = await connectRedis(REDIS_URL, { purpose: 'test clean-up' });
  try {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

describe('ferry run --queue (in process, local Redis)', () => {
  const cleanUps: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanUp of cleanUps.splice(0)) await cleanUp();
  });

  it('puts one run per partition on the queue and returns; asking again while they wait adds none', async () => {
    const dir = project(true);
    const prefix = `ferry-test-${randomUUID()}`;
    cleanUps.push(() => rmSync(dir, { recursive: true, force: true }), () => removeKeys(prefix));

    const io = bufferIo(dir);
    expect(await runCli(['--json', 'run', 'people', '--queue', '--queue-prefix', prefix], io, registry), io.err()).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      queue: REDIS_URL,
      prefix,
      enqueued: [
        { pipeline: 'people', partition: 'east' },
        { pipeline: 'people', partition: 'west' },
      ],
      notQueued: [],
    });

    const again = bufferIo(dir);
    expect(await runCli(['run', 'people', '--queue', '--queue-prefix', prefix, '--partition', 'west'], again, registry), again.err()).toBe(0);
    expect(again.out()).toContain(`enqueued 1 run on ${REDIS_URL} (prefix ${prefix})`);
    expect(again.out()).toContain('people: 1 partition (west)');

    const producer = await RunQueueProducer.connect({ url: REDIS_URL, prefix, log: quiet });
    try {
      expect((await producer.depths()).get('runs')).toEqual({ waiting: 2, active: 0, delayed: 0, failed: 0 });
    } finally {
      await producer.close();
    }
  });

  it('refuses run options a queued run cannot carry, and a queue without a Redis URL, before touching Redis', async () => {
    const withRedis = project(true);
    const without = project(false);
    cleanUps.push(() => rmSync(withRedis, { recursive: true, force: true }), () => rmSync(without, { recursive: true, force: true }));

    const conflict = bufferIo(withRedis);
    expect(await runCli(['run', 'people', '--queue', '--full', '--limit', '5'], conflict, registry)).toBe(2);
    expect(conflict.err()).toMatch(/--queue cannot be combined with --full, --limit/);

    const noUrl = bufferIo(without);
    expect(await runCli(['run', 'people', '--queue'], noUrl, registry)).toBe(2);
    expect(noUrl.err()).toContain("ferry run --queue needs the run queue's Redis URL");
    expect(noUrl.err()).toContain('hint: pass --queue redis://');
  });
});
