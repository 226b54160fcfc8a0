import { Readable, Writable } from 'node:stream';
import { pino } from 'pino';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServiceProject, URL_SECRET, post, postSigned, signatureOf, sinkPipeline, waitFor } from './service.fixture.js';

let fixture: ServiceProject;

beforeEach(() => {
  fixture = new ServiceProject({
    signed: sinkPipeline('signed-events', ['webhook: hooks/signed']),
    secret: sinkPipeline('secret-events', ['webhook: hooks/secret']),
  });
});

afterEach(async () => {
  await fixture.dispose();
});

function inboxSize(): number {
  const counts = fixture.store.inboxCounts();
  return counts.pending + counts.done + counts.failed + counts.dead;
}

describe('POST /webhooks/<connection>/<trigger>', () => {
  it('rejects a bad signature with 401 and stores nothing', async () => {
    const { url } = await fixture.start({ inboxPollMs: 60_000 });
    const delivery = { deliveryId: 'd1', events: [{ id: 'e1' }] };

    const forged = await postSigned(url, delivery, { signature: signatureOf('{"something":"else"}') });
    const unsigned = await post(`${url}/webhooks/hooks/signed`, JSON.stringify(delivery));

    expect(forged).toEqual({ status: 401, body: { error: 'WEBHOOK_REJECTED', message: 'the delivery could not be verified' } });
    expect(unsigned.status).toBe(401);
    expect(inboxSize()).toBe(0);
  });

  it('stores a verified delivery before answering 202, and a redelivery once (200 duplicate)', async () => {
    const { url } = await fixture.start({ inboxPollMs: 60_000, schedules: false });
    const delivery = { deliveryId: 'd1', contact: 'c1', events: [{ id: 'e1' }, { id: 'e2' }] };

    const first = await postSigned(url, delivery);
    // The answer came after the write: the row is there the moment the response is read.
    const stored = fixture.store.inboxGet(1);
    const again = await postSigned(url, delivery);

    expect(first).toEqual({ status: 202, body: { status: 'accepted', deliveryId: 'd1', records: 2 } });
    expect(stored).toMatchObject({ connection: 'hooks', trigger: 'signed', deliveryId: 'd1', orderKey: 'c1' });
    expect(stored?.body.toString('utf8')).toBe(JSON.stringify(delivery));
    expect(again).toEqual({ status: 200, body: { status: 'duplicate', deliveryId: 'd1' } });
    expect(inboxSize()).toBe(1);
  });

  it('refuses bodies over the limit with 413, declared or streamed, and stores nothing', async () => {
    const { url } = await fixture.start({ maxBodyBytes: 1024, inboxPollMs: 60_000 });
    const big = JSON.stringify({ deliveryId: 'big', events: [{ id: 'e1', name: 'x'.repeat(4096) }] });

    const declared = await post(`${url}/webhooks/hooks/signed`, big, { 'x-hooks-signature': signatureOf(big) });
    const chunks = [Buffer.from(big.slice(0, 800)), Buffer.from(big.slice(800))];
    const streamed = await request(`${url}/webhooks/hooks/signed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hooks-signature': signatureOf(big) },
      body: Readable.from(chunks), // no Content-Length: sent chunked
    });
    const streamedBody = (await streamed.body.json()) as Record<string, unknown>;

    expect(declared.status).toBe(413);
    expect(declared.body['error']).toBe('WEBHOOK_TOO_LARGE');
    expect(streamed.statusCode).toBe(413);
    expect(streamedBody['error']).toBe('WEBHOOK_TOO_LARGE');
    expect(inboxSize()).toBe(0);
  });

  it('answers 415 for a body that is not JSON by its content type', async () => {
    const { url } = await fixture.start({ inboxPollMs: 60_000 });
    const body = JSON.stringify({ events: [{ id: 'e1' }] });
    const form = await post(`${url}/webhooks/hooks/signed`, body, { 'content-type': 'text/plain', 'x-hooks-signature': signatureOf(body) });
    const vendorJson = await post(`${url}/webhooks/hooks/signed`, body, { 'content-type': 'application/vnd.hooks+json; charset=utf-8', 'x-hooks-signature': signatureOf(body) });
    expect(form.status).toBe(415);
    expect(vendorJson.status).toBe(202);
  });

  it('answers 400 for a verified body the trigger cannot parse', async () => {
    const { url } = await fixture.start({ inboxPollMs: 60_000 });
    const body = JSON.stringify({ nothing: true });
    const result = await post(`${url}/webhooks/hooks/signed`, body, { 'x-hooks-signature': signatureOf(body) });
    expect(result.status).toBe(400);
    expect(result.body['error']).toBe('WEBHOOK_REJECTED');
    expect(inboxSize()).toBe(0);
  });

  it('answers 404 for unknown connections and triggers, 405 for other methods', async () => {
    const { url } = await fixture.start({ inboxPollMs: 60_000 });
    const body = JSON.stringify({ events: [] });
    expect((await post(`${url}/webhooks/nope/signed`, body)).status).toBe(404);
    expect((await post(`${url}/webhooks/hooks/nope`, body)).status).toBe(404);
    expect((await post(`${url}/webhooks/hooks/signed/a/b`, body)).status).toBe(404);
    expect((await post(`${url}/elsewhere`, body)).status).toBe(404);
    const get = await request(`${url}/webhooks/hooks/signed`);
    await get.body.dump();
    expect(get.statusCode).toBe(405);
  });

  it('verifies, then acknowledges with 202 and stores nothing when no pipeline listens', async () => {
    const { url } = await fixture.start({ inboxPollMs: 60_000 });
    const bad = await postSigned(url, { events: [{ id: 'e1' }] }, { path: '/webhooks/hooks/other', signature: '00' });
    const good = await postSigned(url, { events: [{ id: 'e1' }] }, { path: '/webhooks/hooks/other' });
    expect(bad.status).toBe(401);
    expect(good).toEqual({ status: 202, body: { status: 'ignored', note: 'no pipeline listens to hooks/other' } });
    expect(inboxSize()).toBe(0);
  });

  it('checks a URL secret, and never writes it to the log', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString('utf8')), done()) }));
    const { url, service } = await fixture.start({ inboxPollMs: 60_000, log });
    const body = JSON.stringify({ deliveryId: 's1', events: [{ id: 'e1' }] });

    const wrong = await post(`${url}/webhooks/hooks/secret/not-the-secret`, body);
    const missing = await post(`${url}/webhooks/hooks/secret`, body);
    const right = await post(`${url}/webhooks/hooks/secret/${URL_SECRET}`, body);
    await service.stop();

    expect(wrong.status).toBe(401);
    expect(missing.status).toBe(401);
    expect(right.status).toBe(202);
    expect(service.endpoints.find((e) => e.trigger === 'secret')?.path).toBe('/webhooks/hooks/secret/***');
    const log_ = lines.join('');
    expect(log_).toContain('/webhooks/hooks/secret/***');
    expect(log_).not.toContain(URL_SECRET);
    expect(log_).not.toContain('not-the-secret');
  });

  it('routes connection-wide deliveries by content to the trigger that verifies them', async () => {
    const { url } = await fixture.start({ inboxPollMs: 60_000 });
    const routed = await postSigned(url, { type: 'signed', deliveryId: 'r1', events: [{ id: 'e1' }] }, { path: '/webhooks/hooks' });
    const forged = await postSigned(url, { type: 'signed', deliveryId: 'r2', events: [] }, { path: '/webhooks/hooks', signature: 'ab' });
    const unknown = await postSigned(url, { type: 'SomethingElse', events: [] }, { path: '/webhooks/hooks' });

    expect(routed.status).toBe(202);
    expect(forged.status).toBe(401);
    expect(unknown.body['status']).toBe('ignored');
    expect(inboxSize()).toBe(1);
    expect(fixture.store.inboxGet(1)).toMatchObject({ trigger: 'signed', deliveryId: 'r1' });
  });

  it('answers 503 to new deliveries once stopping, and the delivery is not stored', async () => {
    fixture.sink.writeDelayMs = 300;
    const { url, service } = await fixture.start();
    await postSigned(url, { deliveryId: 'slow', events: [{ id: 'e1' }] });
    // The write takes 300 ms, so stop() has a run to wait for.
    await waitFor(() => fixture.store.listRuns().some((run) => run.status === 'running'), 'the webhook run to start');
    const stopping = service.stop();
    const late = await postSigned(url, { deliveryId: 'late', events: [{ id: 'e2' }] });
    await stopping;

    expect(late.status).toBe(503);
    expect(inboxSize()).toBe(1);
    // The run in progress was let finish: its delivery is done.
    expect(fixture.store.inboxGet(1)).toMatchObject({ deliveryId: 'slow', status: 'done' });
    expect(fixture.sink.ids()).toEqual(['e1']);
  });
});
