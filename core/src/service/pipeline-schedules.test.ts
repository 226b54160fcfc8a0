import { afterEach, describe, expect, it } from 'vitest';
import { ServiceProject, getText, metricValue, postSigned, sinkPipeline, waitFor } from './service.fixture.js';

let fixture: ServiceProject | undefined;

afterEach(async () => {
  await fixture?.dispose();
  fixture = undefined;
});

describe('schedules', () => {
  it('run the pipeline from its checkpoint at every tick', async () => {
    fixture = new ServiceProject({ sync: sinkPipeline('scheduled-sync', ["schedule: '* * * * * *'"]) });
    const p = fixture;
    p.sink.source.push({ id: 'a', seq: 1 }, { id: 'b', seq: 2 });
    const { service } = await p.start();
    expect(service.schedules()).toEqual([{ pipeline: 'scheduled-sync', cron: '* * * * * *', next: expect.any(Date) as Date }]);

    await waitFor(() => p.sink.written.length === 2, 'the first scheduled run', 3_000);
    p.sink.source.push({ id: 'c', seq: 3 });
    await waitFor(() => p.sink.written.length === 3, 'a later tick to read only the new record', 3_000);
    await service.stop();

    expect(p.sink.ids()).toEqual(['a', 'b', 'c']);
    expect(p.store.getCheckpoint({ pipeline: 'scheduled-sync', stream: 'events', partition: '' })).toEqual({ seq: 3 });
    expect(new Set(p.store.listRuns().map((run) => run.trigger))).toEqual(new Set(['schedule']));
  });

  it('skip and count a tick while the pipeline is still running, and never run it twice at once', async () => {
    fixture = new ServiceProject({ slow: sinkPipeline('slow-sync', ["schedule: '* * * * * *'", 'webhook: hooks/signed']) });
    const p = fixture;
    p.sink.readDelayMs = 2_200;
    p.sink.source.push({ id: 'a', seq: 1 });
    const { service, url } = await p.start();

    await waitFor(() => p.sink.concurrentReads === 1, 'the first scheduled run', 3_000);
    // A webhook batch for the same pipeline waits for the scheduled run instead of running beside it.
    await postSigned(url, { deliveryId: 'w1', events: [{ id: 'from-webhook' }] });
    await waitFor(() => p.sink.ids().includes('from-webhook'), 'the webhook run after the scheduled one', 6_000);
    const metrics = await getText(`${url}/metrics`);
    await service.stop();

    expect(p.sink.maxConcurrentReads).toBe(1);
    expect(p.sink.ids().indexOf('a')).toBeLessThan(p.sink.ids().indexOf('from-webhook'));
    expect(metricValue(metrics.text, 'ferry_schedule_ticks_total', { pipeline: 'slow-sync', result: 'skipped' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(metrics.text, 'ferry_schedule_ticks_total', { pipeline: 'slow-sync', result: 'started' })).toBeGreaterThanOrEqual(1);
  });

  it('stop() aborts a scheduled run gracefully: it ends stopped, without reading the rest', async () => {
    fixture = new ServiceProject({ sync: sinkPipeline('long-sync', ["schedule: '* * * * * *'"]) });
    const p = fixture;
    p.sink.writeDelayMs = 30;
    for (let i = 1; i <= 200; i += 1) p.sink.source.push({ id: `r${i}`, seq: i });
    const { service } = await p.start();
    await waitFor(() => p.sink.written.length >= 5, 'the run to be writing', 3_000);
    const started = Date.now();
    await service.stop();

    expect(Date.now() - started).toBeLessThan(2_000);
    const [run] = p.store.listRuns();
    expect(run?.status).toBe('stopped');
    expect(p.sink.written.length).toBeLessThan(200);
  });
});
