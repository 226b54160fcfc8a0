import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis, defineConnector, openSqliteStore, RunQueueProducer, type ConnectorDef, type Logger } from '@ferry/core';
import { builtinConnectors } from '@ferry/connector-builtin';
import type { CliIo } from './cli-io.js';
import { runCli } from './cli.js';
import { createRegistry } from './registry.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };
const registry = createRegistry(builtinConnectors);

function bufferIo(cwd: string): CliIo & { signals: EventEmitter; out(): string; err(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  return { stdout, stderr, cwd, env: {}, signals: new EventEmitter(), exit: () => undefined, out: () => out, err: () => err };
}

/** A project whose `people` pipeline reads one jsonl file per partition (east, west); `redis:` as given. */
function project(redis: boolean | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-enqueue-'));
  const redisLine = redis === false ? '' : `redis: ${redis === true ? REDIS_URL : redis}\n`;
  writeFileSync(
    join(dir, 'ferry.yaml'),
    `store: ./ferry.db
${redisLine}connections:
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

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

/** A source connector whose reads wait until the test opens its gate: a run of it stays in progress meanwhile. */
function gatedSource(): { connector: ConnectorDef; entered: Promise<void>; open(): void; reads(): number } {
  let reads = 0;
  let enter = (): void => undefined;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const connector = defineConnector({
    name: 'gated',
    version: '1.0.0',
    description: 'one record, once the test lets it through',
    configSchema: { type: 'object' },
    auth: [{ kind: 'none' }],
    streams: [
      {
        name: 'records',
        description: 'one record',
        primaryKey: 'id',
        cursorField: 'n',
        syncModes: ['full', 'incremental'],
        schema: { type: 'object' },
        async *read() {
          reads += 1;
          enter();
          await opened;
          yield { records: [{ id: 'r1', n: 1 }], state: { n: 1 } };
        },
      },
    ],
    actions: [],
    triggers: [],
  });
  return { connector, entered, open, reads: () => reads };
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
        { pipeline: 'people', partition: 'east', outcome: 'queued' },
        { pipeline: 'people', partition: 'west', outcome: 'queued' },
      ],
      notQueued: [],
    });

    const again = bufferIo(dir);
    expect(await runCli(['run', 'people', '--queue', '--queue-prefix', prefix, '--partition', 'west'], again, registry), again.err()).toBe(0);
    expect(again.out()).toBe(
      [
        `asked for 1 run on ${REDIS_URL} (prefix ${prefix}) for \`ferry worker\`s:`,
        '  people: 1 partition',
        '    joined (a run of it already waits): west',
        '  `ferry status` shows their runs as the workers take them',
        '',
      ].join('\n'),
    );

    const producer = await RunQueueProducer.connect({ url: REDIS_URL, prefix, log: quiet });
    try {
      expect((await producer.depths()).get('runs')).toEqual({ waiting: 2, active: 0, delayed: 0, failed: 0 });
    } finally {
      await producer.close();
    }
  });

  it('says which units run now and gets them one run more, which a real worker runs after the first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-enqueue-'));
    const prefix = `ferry-test-${randomUUID()}`;
    writeFileSync(
      join(dir, 'ferry.yaml'),
      `store: ./ferry.db\nredis: { url: ${REDIS_URL}, prefix: ${prefix} }\nconnections:\n  slow: { connector: gated }\n  out: { connector: jsonl, config: { path: out.jsonl } }\npipelines: [slow.yaml]\n`,
    );
    writeFileSync(join(dir, 'slow.yaml'), 'name: slow\nfrom: { connection: slow, stream: records }\nto: { connection: out, action: append }\n');
    const gate = gatedSource();
    const withGate = createRegistry([...builtinConnectors, gate.connector]);
    cleanUps.push(() => rmSync(dir, { recursive: true, force: true }), () => removeKeys(prefix));

    // The worker and the requests find the queue through ferry.yaml's redis: alone.
    expect(await runCli(['run', 'slow', '--queue'], bufferIo(dir), withGate)).toBe(0);
    const workerIo = bufferIo(dir);
    const worker = runCli(['worker'], workerIo, withGate);
    // Stopped before the project's files and keys go.
    cleanUps.unshift(async () => {
      gate.open();
      workerIo.signals.emit('SIGINT', 'SIGINT');
      expect(await worker, workerIo.err()).toBe(0);
    });
    await gate.entered;

    const io = bufferIo(dir);
    expect(await runCli(['run', 'slow', '--queue'], io, withGate), io.err()).toBe(0);
    expect(io.out()).toContain('\n  slow: queued after the running one\n');
    const json = bufferIo(dir);
    expect(await runCli(['--json', 'run', 'slow', '--queue'], json, withGate), json.err()).toBe(0);
    expect((JSON.parse(json.out()) as { enqueued: unknown }).enqueued).toEqual([{ pipeline: 'slow', partition: '', outcome: 'queued-after-running' }]);

    gate.open();
    const store = openSqliteStore(join(dir, 'ferry.db'));
    try {
      await until(() => store.listRuns({ pipeline: 'slow' }).filter((run) => run.status === 'succeeded').length === 2, 'the run after the first one ends');
      const producer = await RunQueueProducer.connect({ url: REDIS_URL, prefix, log: quiet });
      try {
        expect((await producer.depths()).get('runs')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
      } finally {
        await producer.close();
      }
      expect(store.listRuns({ pipeline: 'slow' })).toHaveLength(2);
    } finally {
      store.close();
    }
    expect(gate.reads()).toBe(2);
  });

  it("takes the queue's prefix from redis.prefix in ferry.yaml; --queue-prefix still wins", async () => {
    const prefix = `ferry-test-${randomUUID()}`;
    const dir = project(`{ url: ${REDIS_URL}, prefix: ${prefix} }`);
    const flagPrefix = `${prefix}-flag`;
    cleanUps.push(() => rmSync(dir, { recursive: true, force: true }), () => removeKeys(prefix), () => removeKeys(flagPrefix));

    const io = bufferIo(dir);
    expect(await runCli(['--json', 'run', 'people', '--queue', '--partition', 'east'], io, registry), io.err()).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ queue: REDIS_URL, prefix });
    const flagged = bufferIo(dir);
    expect(await runCli(['--json', 'run', 'people', '--queue', '--queue-prefix', flagPrefix, '--partition', 'east'], flagged, registry), flagged.err()).toBe(0);
    expect(JSON.parse(flagged.out())).toMatchObject({ prefix: flagPrefix, enqueued: [{ partition: 'east', outcome: 'queued' }] });

    for (const [where, waiting] of [[prefix, 1], [flagPrefix, 1]] as const) {
      const producer = await RunQueueProducer.connect({ url: REDIS_URL, prefix: where, log: quiet });
      try {
        expect((await producer.depths()).get('runs')?.waiting).toBe(waiting);
      } finally {
        await producer.close();
      }
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
