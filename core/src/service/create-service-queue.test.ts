import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import type { ScheduleInfo } from './pipeline-schedules.js';
import { ServiceProject, getText, metricValue, postSigned, sinkPipeline, waitFor } from './service.fixture.js';
import type { ServiceQueue } from './service-queue.js';

/** A run queue kept in memory: what the service asked of it. */
class RecordingQueue implements ServiceQueue {
  readonly where = 'redis://queue.test:6379/0';
  readonly armed: string[] = [];
  readonly drains: { connection: string; promote: boolean }[] = [];
  failArming = false;

  armSchedules(pipelines: readonly PipelineSpec[]): Promise<ScheduleInfo[]> {
    if (this.failArming) return Promise.reject(new FerryError('REDIS_UNAVAILABLE', 'cannot reach Redis', { hint: 'start it' }));
    const schedules = pipelines.flatMap((p) => p.on.flatMap((on) => (on.schedule === undefined ? [] : [{ pipeline: p.name, cron: on.schedule, next: new Date(0) }])));
    this.armed.push(...schedules.map((s) => s.pipeline));
    return Promise.resolve(schedules);
  }

  drainInbox(connection: string, options: { readonly promote?: boolean } = {}): Promise<void> {
    this.drains.push({ connection, promote: options.promote === true });
    return Promise.resolve();
  }

  depths(): Promise<ReadonlyMap<string, Readonly<Record<string, number>>>> {
    return Promise.resolve(new Map([['runs', { waiting: 3, active: 1, delayed: 0, failed: 0 }]]));
  }
}

let fixture: ServiceProject | undefined;

afterEach(async () => {
  await fixture?.dispose();
  fixture = undefined;
});

describe('createService with a run queue', () => {
  it('arms schedules on the queue, leaves deliveries to the workers, asks for their drain, and shows queue depths', async () => {
    fixture = new ServiceProject({ signed: sinkPipeline('signed-events', ['webhook: hooks/signed']), ticking: sinkPipeline('ticking', ['schedule: "* * * * * *"']) });
    const queue = new RecordingQueue();
    const { url, service } = await fixture.start({ queue });

    expect(queue.armed).toEqual(['ticking']);
    expect(service.schedules()).toEqual([{ pipeline: 'ticking', cron: '* * * * * *', next: new Date(0) }]);
    const accepted = await postSigned(url, { deliveryId: 'd1', events: [{ id: 'e1' }] });
    expect(accepted.status).toBe(202);
    await waitFor(() => queue.drains.some((d) => d.connection === 'hooks' && d.promote), 'a drain asked for the delivery');
    // The inbox sweep asks again while the delivery waits (a drainer may have just finished).
    await waitFor(() => queue.drains.some((d) => d.connection === 'hooks' && !d.promote), 'a sweep');
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    // Nothing ran here: no tick, no delivery processed.
    expect(fixture.store.listRuns()).toEqual([]);
    expect(fixture.store.inboxDepth()).toBe(1);
    expect(fixture.sink.written).toEqual([]);
    expect(fixture.sink.reads).toBe(0);
    const { text } = await getText(`${url}/metrics`);
    expect(metricValue(text, 'ferry_queue_jobs', { queue: 'runs', state: 'waiting' })).toBe(3);
    expect(metricValue(text, 'ferry_queue_jobs', { queue: 'runs', state: 'active' })).toBe(1);
  });

  it('does not start when the schedules cannot be armed, and frees its port', async () => {
    fixture = new ServiceProject({ ticking: sinkPipeline('ticking', ['schedule: "* * * * * *"']) });
    const queue = new RecordingQueue();
    queue.failArming = true;
    await expect(fixture.start({ queue })).rejects.toMatchObject({ code: 'REDIS_UNAVAILABLE' });
  });
});
