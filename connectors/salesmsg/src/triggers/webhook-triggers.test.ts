import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { http, HttpResponse } from 'msw';
import { isFerryError, serveHandlers, type LoopbackServer, type TriggerDef, type TriggerEvent, type WebhookDelivery } from '@ferry/core';
import { createTestContext } from '@ferry/core/testing';
import { serveSalesmsgSandbox, emitWebhook, type ServedSalesmsgSandbox } from '../sandbox/index.js';
import { webhookTriggers } from './webhook-triggers.js';

const SECRET = 'k3Jq9-unguessable-webhook-secret';
const ctx = createTestContext({ connection: 'salesmsg', config: { webhookSecret: SECRET } });

function trigger(name: string): TriggerDef {
  const found = webhookTriggers.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no trigger ${name}`);
  return found;
}

/** `pathSecret` null: the URL carries no secret at all. */
function delivery(body: unknown, pathSecret: string | null = SECRET, headers: Record<string, string> = {}): WebhookDelivery {
  const rawBody = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return { headers, rawBody, receivedAt: new Date(), ...(pathSecret === null ? {} : { pathSecret }) };
}

const contact = { id: 10_001, first_name: 'Ada', number: '+14155550100', updated_at: '2025-01-02T03:04:05.000000Z', tags: [{ id: 1, name: 'lead', label: 'lead' }] };

describe('webhook verification: the secret in the URL', () => {
  const created = trigger('contact.created');

  it('accepts the configured secret', () => {
    expect(() => created.verify?.(ctx, delivery({}))).not.toThrow();
  });

  it('rejects a missing or wrong secret (any length) with WEBHOOK_REJECTED and a hint', () => {
    for (const secret of [null, '', 'wrong', `${SECRET}x`, SECRET.slice(0, -1), SECRET.toUpperCase()]) {
      let error: unknown;
      try {
        created.verify?.(ctx, delivery({}, secret));
      } catch (e) {
        error = e;
      }
      expect(isFerryError(error) && error.code).toBe('WEBHOOK_REJECTED');
      expect(isFerryError(error) && error.hint).toContain('webhookSecret');
    }
  });

  it('rejects everything when the connection has no secret', () => {
    const open = createTestContext({ connection: 'salesmsg', config: {} });
    expect(() => created.verify?.(open, delivery({}))).toThrow(expect.objectContaining({ code: 'WEBHOOK_REJECTED', details: { reason: 'no-secret-configured' } }) as Error);
  });
});

describe('webhook parsing', () => {
  it('turns {event, data: {contact}} into a contacts record, deduped by id and updated_at', () => {
    const event = trigger('contact.updated').parse?.(delivery({ event: 'contact.updated', data: { contact } }));
    expect(event?.records).toHaveLength(1);
    expect(event?.records[0]).toMatchObject({ id: 10_001, first_name: 'Ada', number: '+14155550100', opt_out: null, tags: [{ id: 1, label: 'lead' }] });
    expect(event?.deliveryId).toBe('contact.updated:10001:2025-01-02T03:04:05.000000Z');
    expect(event?.orderKey).toBe('contact:10001');
    const later = trigger('contact.updated').parse?.(delivery({ event: 'contact.updated', data: { contact: { ...contact, updated_at: '2025-01-02T03:09:00.000000Z' } } }));
    expect(later?.deliveryId).not.toBe(event?.deliveryId);
  });

  it('prefers a delivery id header when one is sent, and accepts event name spellings', () => {
    const event = trigger('contact.opted_out').parse?.(delivery({ event: 'ContactOptedOut', data: { contact } }, SECRET, { 'X-Salesmsg-Delivery-Id': 'd-42' }));
    expect(event?.deliveryId).toBe('d-42');
  });

  it('turns message events into conversation.messages records with their contact and conversation', () => {
    const event = trigger('message.received').parse?.(
      delivery({ event: 'message.received', data: { contact, message: { id: 7, body: 'Hi', direction: 'inbound', created_at: '2025-01-02T03:04:05.000000Z' }, conversation: { id: 300 } } }),
    );
    expect(event?.records[0]).toMatchObject({ id: 7, body: 'Hi', contact_id: 10_001, conversation_id: 300, updated_at: '2025-01-02T03:04:05.000000Z' });
    expect(event?.orderKey).toBe('contact:10001');
  });

  it('rejects a delivery of another event, bodies that are not the envelope, and contacts without an id', () => {
    const created = trigger('contact.created');
    const bad: unknown[] = [
      { event: 'contact.updated', data: { contact } },
      'not json',
      '[]',
      'null',
      { event: 5, data: { contact } },
      { event: 'contact.created', data: { user: {} } },
      { event: 'contact.created', data: { contact: { first_name: 'no id' } } },
      { event: 'contact.created', data: { contact: [] } },
      Buffer.from([0xff, 0xfe, 0x00]),
    ];
    for (const body of bad) {
      expect(() => created.parse?.(delivery(body))).toThrow(expect.objectContaining({ code: 'WEBHOOK_REJECTED' }) as Error);
    }
    expect(() => trigger('message.sent').parse?.(delivery({ event: 'message.sent', data: { contact } }))).toThrow(expect.objectContaining({ code: 'WEBHOOK_REJECTED' }) as Error);
  });

  it('never fails with anything but a FerryError, whatever JSON or bytes arrive (fuzz)', () => {
    const envelope = fc.record(
      {
        event: fc.oneof(fc.constantFrom(...webhookTriggers.map((t) => t.name)), fc.string(), fc.anything()),
        data: fc.oneof(fc.anything(), fc.record({ contact: fc.anything(), message: fc.anything(), conversation: fc.anything() }, { requiredKeys: [] })),
      },
      { requiredKeys: [] },
    );
    const bodies = fc.oneof(fc.jsonValue(), envelope, fc.uint8Array().map((bytes) => Buffer.from(bytes)));
    fc.assert(
      fc.property(bodies, fc.constantFrom(...webhookTriggers), (body, t) => {
        try {
          const event = t.parse?.(delivery(body));
          expect(event?.records.length).toBe(1);
          expect(typeof event?.deliveryId).toBe('string');
        } catch (error) {
          if (!isFerryError(error)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('webhooks end to end: the sandbox delivers to a receiver that verifies and parses', () => {
  let served: ServedSalesmsgSandbox | undefined;
  let receiver: LoopbackServer | undefined;
  afterEach(async () => {
    await served?.close();
    await receiver?.close();
  });

  it('receives contact.created from an API create and message.received on demand; a wrong secret is refused', async () => {
    const events: TriggerEvent[] = [];
    receiver = await serveHandlers([
      http.post('*/webhooks/salesmsg/:trigger/:secret', async ({ request, params }) => {
        const t = webhookTriggers.find((x) => x.name === params['trigger']);
        if (t === undefined) return HttpResponse.json({ message: 'unknown trigger' }, { status: 404 });
        const received = delivery(Buffer.from(await request.arrayBuffer()), String(params['secret']), Object.fromEntries(request.headers));
        try {
          t.verify?.(ctx, received);
          const event = t.parse?.(received);
          if (event !== undefined) events.push(event);
          return HttpResponse.json({ ok: true });
        } catch (error) {
          if (!isFerryError(error)) throw error;
          return HttpResponse.json({ message: error.message }, { status: error.details['reason'] === 'malformed' ? 400 : 401 });
        }
      }),
    ]);
    const hook = (name: string, secret = SECRET): string => `${receiver?.url ?? ''}/webhooks/salesmsg/${name}/${secret}`;
    served = await serveSalesmsgSandbox({ timeScale: 0, seed: 4, size: 10, extra: { webhookUrl: hook('contact.created') } });
    const api = await fetch(`${served.baseUrl}/contacts?number=%2B15125550777&first_name=Hooked`, { method: 'POST', headers: { authorization: 'Bearer sbx-pat-full-access' } });
    const created = (await api.json()) as { id: number };
    await served.sandbox.flushWebhooks();
    served.sandbox.addMessage({ contactId: created.id, body: 'Is this Hooked?' });
    expect(await emitWebhook(served.sandbox, hook('message.received'), { event: 'message.received', contactId: created.id })).toBe(200);
    expect(await emitWebhook(served.sandbox, hook('message.received', 'guess'), { event: 'message.received', contactId: created.id })).toBe(401);

    expect(events.map((e) => e.records[0]?.['id'])).toEqual([created.id, expect.any(Number)]);
    expect(events[0]?.records[0]).toMatchObject({ first_name: 'Hooked', number: '+15125550777' });
    expect(events[1]?.records[0]).toMatchObject({ body: 'Is this Hooked?', contact_id: created.id });
  });
});
