import { createServer } from 'node:net';
import { http, HttpResponse } from 'msw';
import { serveHandlers } from '../sandbox/serve-handlers.js';
import { afterEach, describe, expect, it } from 'vitest';
import { isFerryError } from '../errors/ferry-error.js';
import { ServiceProject, getJson, getText, metricValue, post, postSigned, signatureOf, sinkPipeline, waitFor } from './service.fixture.js';

let fixture: ServiceProject | undefined;

afterEach(async () => {
  await fixture?.dispose();
  fixture = undefined;
});

function project(): ServiceProject {
  fixture = new ServiceProject({ signed: sinkPipeline('signed-events', ['webhook: hooks/signed']), secret: sinkPipeline('secret-events', ['webhook: hooks/secret']) });
  return fixture;
}

describe('createService', () => {
  it('answers /healthz with status, uptime, inbox depth and running pipelines; 503 while stopping', async () => {
    const p = project();
    p.sink.writeDelayMs = 400;
    const { url, service } = await p.start();
    const idle = await getJson(`${url}/healthz`);
    await postSigned(url, { deliveryId: 'd1', events: [{ id: 'e1' }] });
    await waitFor(() => p.store.listRuns().some((run) => run.status === 'running'), 'the run');
    const busy = await getJson(`${url}/healthz`);
    const stopping = service.stop();
    const whileStopping = await getJson(`${url}/healthz`);
    await stopping;

    expect(idle).toEqual({ status: 200, body: { status: 'ok', uptime: expect.any(Number) as number, inboxDepth: 0, runningPipelines: [] } });
    expect(busy.body).toMatchObject({ status: 'ok', inboxDepth: 1, runningPipelines: ['signed-events'] });
    expect(whileStopping.status).toBe(503);
    expect(whileStopping.body['status']).toBe('stopping');
  });

  it('exports Prometheus metrics: deliveries by result, runs, records, inbox, dead letters', async () => {
    const p = project();
    const { url } = await p.start({ defaultMetrics: true });
    const body = JSON.stringify({ deliveryId: 'd1', events: [{ id: 'e1' }, { id: 'e2' }] });
    await post(`${url}/webhooks/hooks/signed`, body, { 'x-hooks-signature': signatureOf(body) });
    await post(`${url}/webhooks/hooks/signed`, body, { 'x-hooks-signature': signatureOf(body) });
    await post(`${url}/webhooks/hooks/signed`, body, { 'x-hooks-signature': 'bad' });
    await waitFor(() => p.store.inboxGet(1)?.status === 'done', 'processing');
    const { status, text, contentType } = await getText(`${url}/metrics`);

    expect(status).toBe(200);
    expect(contentType).toContain('text/plain');
    expect(metricValue(text, 'ferry_webhook_deliveries_total', { connection: 'hooks', trigger: 'signed', result: 'accepted' })).toBe(1);
    expect(metricValue(text, 'ferry_webhook_deliveries_total', { connection: 'hooks', trigger: 'signed', result: 'duplicate' })).toBe(1);
    expect(metricValue(text, 'ferry_webhook_deliveries_total', { connection: 'hooks', trigger: 'signed', result: 'rejected' })).toBe(1);
    expect(metricValue(text, 'ferry_inbox_processed_total', { connection: 'hooks', trigger: 'signed', result: 'done' })).toBe(1);
    expect(metricValue(text, 'ferry_runs_total', { pipeline: 'signed-events', source: 'webhook', status: 'succeeded' })).toBe(1);
    expect(metricValue(text, 'ferry_run_duration_seconds_count', { pipeline: 'signed-events', source: 'webhook' })).toBe(1);
    expect(metricValue(text, 'ferry_records_read_total', { pipeline: 'signed-events' })).toBe(2);
    expect(metricValue(text, 'ferry_records_written_total', { pipeline: 'signed-events' })).toBe(2);
    expect(text).toContain('ferry_records_dead_lettered_total');
    expect(metricValue(text, 'ferry_inbox_depth')).toBe(0);
    expect(metricValue(text, 'ferry_inbox_deliveries', { status: 'done' })).toBe(1);
    expect(metricValue(text, 'ferry_dead_letters_open', { pipeline: 'signed-events' })).toBe(0);
    expect(metricValue(text, 'ferry_running_pipelines')).toBe(0);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts API calls, 429s and the rate limiter queue per connection', async () => {
    let calls = 0;
    const api = await serveHandlers([
      http.post('*/things', () => {
        calls += 1;
        return calls === 1 ? HttpResponse.json({ message: 'slow down' }, { status: 429, headers: { 'retry-after': '0' } }) : HttpResponse.json({ ok: true });
      }),
    ]);
    try {
      fixture = new ServiceProject(
        { forward: 'name: forward\non:\n  - webhook: hooks/signed\nfrom: { connection: hooks, stream: events, sync: incremental }\nto: { connection: api, action: things.create }\n' },
        { apiBaseUrl: api.url },
      );
      const p = fixture;
      const { url } = await p.start();
      await postSigned(url, { deliveryId: 'd1', events: [{ id: 'e1' }, { id: 'e2' }] });
      await waitFor(() => p.store.inboxGet(1)?.status === 'done', 'the delivery');
      const { text } = await getText(`${url}/metrics`);

      expect(calls).toBe(3);
      expect(metricValue(text, 'ferry_api_calls_total', { connection: 'api' })).toBe(3);
      expect(metricValue(text, 'ferry_api_rate_limited_total', { connection: 'api' })).toBe(1);
      expect(text).toMatch(/^ferry_limiter_queued_calls\{connection="api",account="[^"]*"\} 0$/m);
    } finally {
      await api.close();
    }
  });

  it('lists the endpoints some pipeline listens to, URL secrets masked', async () => {
    const p = project();
    const { service } = await p.start();
    expect(service.endpoints).toEqual([
      { method: 'POST', path: '/webhooks/hooks/signed', connection: 'hooks', trigger: 'signed', pipelines: ['signed-events'], verified: true },
      { method: 'POST', path: '/webhooks/hooks/secret/***', connection: 'hooks', trigger: 'secret', pipelines: ['secret-events'], verified: true },
      { method: 'POST', path: '/webhooks/hooks', connection: 'hooks', trigger: undefined, pipelines: ['signed-events'], verified: true },
    ]);
  });

  it('keeps a delivery accepted just before stop for the next start (durable inbox)', async () => {
    const p = project();
    p.sink.writeDelayMs = 50;
    const first = await p.start({ maxInFlight: 1, maxBatchRecords: 1 });
    // Five deliveries of one contact: processed one by one, so most are still waiting when stop() comes.
    for (let i = 1; i <= 5; i += 1) await postSigned(first.url, { deliveryId: `d${i}`, contact: 'c1', events: [{ id: `e${i}` }] });
    await first.service.stop();
    const afterStop = p.sink.ids();
    const leftBehind = p.store.inboxDepth();

    p.reopenStore();
    await p.start();
    await waitFor(() => p.store.inboxDepth() === 0, 'the rest of the inbox after the restart');

    expect(leftBehind).toBeGreaterThan(0);
    expect(afterStop.length).toBeLessThan(5);
    // Nothing lost, nothing twice, still in order.
    expect(p.sink.ids()).toEqual(['e1', 'e2', 'e3', 'e4', 'e5']);
  });

  it('aborts webhook runs that outlast the drain period; their deliveries stay pending for the next start', async () => {
    const p = project();
    p.sink.writeDelayMs = 200;
    const { url, service } = await p.start({ drainTimeoutMs: 50 });
    await postSigned(url, { deliveryId: 'd1', events: [{ id: 'e1' }, { id: 'e2' }, { id: 'e3' }, { id: 'e4' }, { id: 'e5' }, { id: 'e6' }] });
    await waitFor(() => p.store.listRuns().some((run) => run.status === 'running'), 'the run');
    const started = Date.now();
    await service.stop();

    expect(Date.now() - started).toBeLessThan(1_500);
    expect(p.store.listRuns()[0]?.status).toBe('stopped');
    expect(p.store.inboxGet(1)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('refuses a port in use with a clear error', async () => {
    const p = project();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    let error: unknown;
    try {
      await p.start({ port });
    } catch (failure) {
      error = failure;
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    expect(isFerryError(error) && error.code).toBe('SERVE_PORT_IN_USE');
    expect(isFerryError(error) && error.hint).toContain('--port');
  });

  it('stop() is idempotent and a stopped service cannot start again', async () => {
    const p = project();
    const { service } = await p.start();
    await Promise.all([service.stop(), service.stop()]);
    await service.stop();
    await expect(service.start()).rejects.toThrow('already started');
  });
});
