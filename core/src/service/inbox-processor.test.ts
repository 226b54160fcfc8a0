import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceProject, getText, metricValue, postSigned, sinkPipeline, waitFor } from './service.fixture.js';

let fixture: ServiceProject | undefined;

afterEach(async () => {
  await fixture?.dispose();
  fixture = undefined;
});

function project(files: Readonly<Record<string, string>> = { signed: sinkPipeline('signed-events', ['webhook: hooks/signed']) }): ServiceProject {
  fixture = new ServiceProject(files);
  return fixture;
}

describe('inbox processing', () => {
  it('runs the listening pipelines with the delivery records, once per delivery id, and marks it done', async () => {
    const p = project({
      a: sinkPipeline('first-listener', ['webhook: hooks/signed']),
      b: sinkPipeline('second-listener', ['webhook: hooks/signed']),
    });
    const { url } = await p.start();
    const delivery = { deliveryId: 'd1', contact: 'c1', events: [{ id: 'e1', name: 'Ada' }, { id: 'e2', name: 'Bo' }] };
    await postSigned(url, delivery);
    await postSigned(url, delivery);
    await waitFor(() => p.store.inboxGet(1)?.status === 'done', 'the delivery to be processed');
    await postSigned(url, delivery); // a late redelivery of a processed delivery is still a duplicate

    // Both pipelines wrote both records, exactly once each.
    expect(p.sink.ids().sort((a, b) => a.localeCompare(b))).toEqual(['e1', 'e1', 'e2', 'e2']);
    expect(p.store.inboxGet(1)).toMatchObject({ status: 'done', attempts: 1 });
    expect(p.store.inboxCounts()).toEqual({ pending: 0, done: 1, failed: 0, dead: 0 });
    const runs = p.store.listRuns();
    expect(runs.map((run) => [run.pipeline, run.trigger, run.status]).sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['first-listener', 'webhook:hooks/signed', 'succeeded'],
      ['second-listener', 'webhook:hooks/signed', 'succeeded'],
    ]);
  });

  it('keeps the order of deliveries that share an order key', async () => {
    const p = project();
    p.sink.writeDelayMs = 5;
    const { url } = await p.start();
    const sent: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const contact = `c${i % 3}`;
      sent.push(`${contact}-${i}`);
      await postSigned(url, { deliveryId: `d${i}`, contact, events: [{ id: `${contact}-${i}` }] });
    }
    await waitFor(() => p.sink.written.length === 12, 'all twelve records');

    for (const contact of ['c0', 'c1', 'c2']) {
      const written = p.sink.ids().filter((id) => id.startsWith(`${contact}-`));
      expect(written).toEqual(sent.filter((id) => id.startsWith(`${contact}-`)));
    }
    expect(p.store.inboxDepth()).toBe(0);
  });

  it('retries a failing delivery with backoff and succeeds once the destination recovers', async () => {
    const p = project();
    p.sink.failNext = 2;
    const { url } = await p.start();
    await postSigned(url, { deliveryId: 'flaky', events: [{ id: 'e1' }] });
    await waitFor(() => p.store.inboxGet(1)?.status === 'done', 'the retried delivery');

    expect(p.store.inboxGet(1)).toMatchObject({ status: 'done', attempts: 3 });
    expect(p.sink.ids()).toEqual(['e1']);
    expect(p.store.listRuns().map((run) => run.status)).toEqual(['succeeded', 'failed', 'failed']);
  });

  it('marks a delivery dead after the last attempt, with the error, and moves on to the next of its key', async () => {
    const p = project();
    p.sink.failAlways = true;
    const { url } = await p.start({ maxAttempts: 3 });
    await postSigned(url, { deliveryId: 'doomed', contact: 'c1', events: [{ id: 'e1' }] });
    await postSigned(url, { deliveryId: 'next', contact: 'c1', events: [{ id: 'e2' }] });
    await waitFor(() => p.store.inboxGet(1)?.status === 'dead', 'the delivery to be given up');
    p.sink.failAlways = false;
    await waitFor(() => p.store.inboxGet(2)?.status === 'done', 'the next delivery of the key');

    const dead = p.store.inboxGet(1);
    expect(dead).toMatchObject({ status: 'dead', attempts: 3 });
    expect(dead?.lastError).toContain('signed-events: SINK_DOWN: the sink is down');
    expect(p.sink.ids()).toEqual(['e2']);
    // The second delivery of the key waited until the first was given up.
    expect(p.sink.attempted.slice(0, 3)).toEqual(['e1', 'e1', 'e1']);
    expect(p.sink.attempted.slice(3).every((id) => id === 'e2')).toBe(true);
  });

  it('dead-letters a record the destination refuses and still marks the delivery done', async () => {
    const p = project();
    p.sink.refuse.add('bad');
    const { url } = await p.start();
    await postSigned(url, { deliveryId: 'mixed', events: [{ id: 'good' }, { id: 'bad' }] });
    await waitFor(() => p.store.inboxGet(1)?.status === 'done', 'the delivery');
    const metrics = await getText(`${url}/metrics`);

    expect(p.sink.ids()).toEqual(['good']);
    expect(p.store.listRuns()[0]?.status).toBe('partial');
    expect(p.store.listDeadLetters({ status: 'open' }).map((letter) => [letter.sourceId, letter.error.code])).toEqual([['bad', 'SINK_REFUSED']]);
    expect(metricValue(metrics.text, 'ferry_records_dead_lettered_total', { pipeline: 'signed-events' })).toBe(1);
    expect(metricValue(metrics.text, 'ferry_records_written_total', { pipeline: 'signed-events' })).toBe(1);
    expect(metricValue(metrics.text, 'ferry_dead_letters_open', { pipeline: 'signed-events' })).toBe(1);
    expect(metricValue(metrics.text, 'ferry_runs_total', { pipeline: 'signed-events', source: 'webhook', status: 'partial' })).toBe(1);
  });

  it('processes deliveries left in the inbox by an earlier process when it starts', async () => {
    const p = project();
    const body = (id: string): Buffer => Buffer.from(JSON.stringify({ deliveryId: id, events: [{ id: `rec-${id}` }] }));
    p.store.inboxPut({ connection: 'hooks', trigger: 'signed', deliveryId: 'old-1', body: body('old-1') });
    const failed = p.store.inboxPut({ connection: 'hooks', trigger: 'signed', deliveryId: 'old-2', body: body('old-2') });
    p.store.inboxMark(failed.id, 'failed', 'earlier attempt');
    p.reopenStore();

    await p.start();
    await waitFor(() => p.store.inboxDepth() === 0, 'the inbox to drain');

    expect(p.sink.ids().sort((a, b) => a.localeCompare(b))).toEqual(['rec-old-1', 'rec-old-2']);
    expect(p.store.inboxGet(failed.id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('batches deliveries that queue up behind a running pipeline into one run', async () => {
    const p = project();
    let release = (): void => undefined;
    p.sink.hold = new Promise<void>((resolve) => (release = resolve));
    const { url } = await p.start();
    await postSigned(url, { deliveryId: 'first', events: [{ id: 'e0' }] });
    // The first run is writing (held) while the next five arrive.
    await waitFor(() => p.sink.attempted.length === 1, 'the first run');
    for (let i = 1; i <= 5; i += 1) await postSigned(url, { deliveryId: `d${i}`, events: [{ id: `e${i}` }] });
    // A stored delivery is handed to its pipeline's lane as soon as the processor wakes; give it a moment.
    await sleep(200);
    p.sink.hold = undefined;
    release();
    await waitFor(() => p.sink.written.length === 6, 'every record');
    await waitFor(() => p.store.inboxDepth() === 0, 'every delivery marked');

    const runs = p.store.listRuns();
    expect(runs.length).toBe(2);
    expect(runs.map((run) => run.summary?.read ?? 0).sort((a, b) => a - b)).toEqual([1, 5]);
  });
});
