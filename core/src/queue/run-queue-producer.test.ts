import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../contract/pipeline.js';
import { connectRedis } from '../coordination/redis-connection.js';
import { RunQueueProducer } from './run-queue-producer.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
const log = pino({ level: 'silent' });

function scheduled(name: string, ...crons: string[]): PipelineSpec {
  return { name, on: crons.map((schedule) => ({ schedule })) } as unknown as PipelineSpec;
}

describe('RunQueueProducer (local Redis)', () => {
  const prefix = `ferry-test-queue-${randomUUID()}`;
  let redis: Redis;
  let first: RunQueueProducer;
  let second: RunQueueProducer;

  beforeAll(async () => {
    redis = await connectRedis(REDIS_URL, { purpose: 'a test' });
    first = await RunQueueProducer.connect({ url: REDIS_URL, prefix, log });
    second = await RunQueueProducer.connect({ url: REDIS_URL, prefix, log });
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('coalesces a second request for a unit that is already waiting; other units get their own job', async () => {
    await first.requestRun({ pipeline: 'p', partition: '' }, 'schedule');
    await second.requestRun({ pipeline: 'p', partition: '' }, 'request');
    await first.requestRun({ pipeline: 'p', partition: 'loc-1' }, 'schedule');
    expect((await first.depths()).get('runs')).toMatchObject({ waiting: 2, active: 0 });
  });

  it('arms one scheduler per schedule trigger, however many producers arm it, and removes the ones gone from the project', async () => {
    const pipelines = [scheduled('a', '*/5 * * * * *'), scheduled('b', '0 3 * * *', '0 15 * * *')];
    const armed = await first.armSchedules(pipelines);
    await second.armSchedules(pipelines);
    expect(armed.map((s) => [s.pipeline, s.cron])).toEqual([
      ['a', '*/5 * * * * *'],
      ['b', '0 3 * * *'],
      ['b', '0 15 * * *'],
    ]);
    expect(armed.every((s) => s.next !== undefined && s.next.getTime() > Date.now() - 1000)).toBe(true);
    const delayedTicks = (await first.depths()).get('ticks')?.delayed;
    expect(delayedTicks).toBe(3);

    await second.armSchedules([scheduled('a', '*/5 * * * * *')]);
    expect((await first.depths()).get('ticks')?.delayed).toBe(1);
  });

  it('asks for one drainer per connection', async () => {
    await first.drainInbox('ghl');
    await second.drainInbox('ghl', { promote: true });
    await first.drainInbox('salesmsg');
    expect((await first.depths()).get('inbox')?.waiting).toBe(2);
  });
});
