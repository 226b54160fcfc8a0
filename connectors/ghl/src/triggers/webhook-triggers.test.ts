import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestContext } from '@ferry/core/testing';
import { isFerryError, type JsonRecord, type TriggerDef, type WebhookDelivery } from '@ferry/core';
import { ghl } from '../connector.js';
import { GHL_WEBHOOK_EVENTS, webhookEventType, webhookTriggers } from './webhook-triggers.js';

const LOCATION = 'sbxLocation000000001';
const ed = generateKeyPairSync('ed25519');
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const config = {
  locationId: LOCATION,
  webhookPublicKey: ed.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  webhookLegacyPublicKey: rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
};
const ctx = createTestContext({ connection: 'ghl', config, account: LOCATION });

function trigger(name: string): TriggerDef {
  const found = webhookTriggers.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no trigger ${name}`);
  return found;
}

function deliveryOf(payload: JsonRecord, options: { scheme?: 'ed25519' | 'rsa' | 'none'; receivedAt?: Date; tamper?: boolean } = {}): WebhookDelivery {
  const rawBody = Buffer.from(JSON.stringify(payload));
  const signed = options.tamper === true ? Buffer.from(JSON.stringify({ ...payload, firstName: 'Mallory' })) : rawBody;
  const scheme = options.scheme ?? 'ed25519';
  const headers: Record<string, string> = {};
  if (scheme === 'ed25519') headers['x-ghl-signature'] = sign(null, signed, ed.privateKey).toString('base64');
  if (scheme === 'rsa') headers['x-wh-signature'] = sign('sha256', signed, rsa.privateKey).toString('base64');
  return { headers, rawBody, receivedAt: options.receivedAt ?? new Date() };
}

function contactEvent(type: string, extra: JsonRecord = {}): JsonRecord {
  return {
    type,
    locationId: LOCATION,
    id: 'contact0000000000001',
    firstName: 'Ada',
    email: 'ada@example.com',
    phone: '+14155550100',
    tags: ['vip'],
    customFields: [{ id: 'cf1', value: 'blue' }],
    dateAdded: '2025-01-01T00:00:00.000Z',
    timestamp: new Date().toISOString(),
    webhookId: 'wh-0001',
    ...extra,
  };
}

function rejection(run: () => void): string {
  try {
    run();
  } catch (error) {
    if (isFerryError(error)) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('GHL webhook triggers', () => {
  it('one trigger per documented event', () => {
    expect(webhookTriggers.map((t) => t.name)).toEqual([...GHL_WEBHOOK_EVENTS]);
    expect(GHL_WEBHOOK_EVENTS).toHaveLength(14);
  });

  it('accepts an Ed25519-signed delivery and turns it into a contact record', () => {
    const create = trigger('ContactCreate');
    const delivery = deliveryOf(contactEvent('ContactCreate'));
    expect(rejection(() => create.verify?.(ctx, delivery))).toBe('accepted');
    const event = create.parse?.(delivery);
    expect(event).toEqual({
      deliveryId: 'wh-0001',
      orderKey: 'contact0000000000001',
      partitionKey: LOCATION,
      records: [
        {
          locationId: LOCATION,
          id: 'contact0000000000001',
          firstName: 'Ada',
          email: 'ada@example.com',
          phone: '+14155550100',
          tags: ['vip'],
          customFields: [{ id: 'cf1', value: 'blue' }],
          dateAdded: '2025-01-01T00:00:00.000Z',
        },
      ],
    });
  });

  it('accepts the legacy RSA x-wh-signature', () => {
    const delivery = deliveryOf(contactEvent('ContactUpdate'), { scheme: 'rsa' });
    expect(rejection(() => trigger('ContactUpdate').verify?.(ctx, delivery))).toBe('accepted');
  });

  it('rejects tampered, unsigned, stale and foreign deliveries', () => {
    const update = trigger('ContactUpdate');
    expect(rejection(() => update.verify?.(ctx, deliveryOf(contactEvent('ContactUpdate'), { tamper: true })))).toMatch(/^WEBHOOK_REJECTED: x-ghl-signature/);
    expect(rejection(() => update.verify?.(ctx, deliveryOf(contactEvent('ContactUpdate'), { scheme: 'rsa', tamper: true })))).toMatch(/^WEBHOOK_REJECTED: x-wh-signature/);
    expect(rejection(() => update.verify?.(ctx, deliveryOf(contactEvent('ContactUpdate'), { scheme: 'none' })))).toMatch(/no x-ghl-signature/);
    const old = contactEvent('ContactUpdate', { timestamp: new Date(Date.now() - 6 * 60_000).toISOString() });
    expect(rejection(() => update.verify?.(ctx, deliveryOf(old)))).toMatch(/WEBHOOK_REJECTED: the delivery is 360 s away/);
    expect(rejection(() => update.verify?.(ctx, deliveryOf(contactEvent('ContactUpdate', { timestamp: undefined }))))).toMatch(/no readable timestamp/);
    expect(rejection(() => update.verify?.(ctx, deliveryOf(contactEvent('ContactUpdate', { locationId: 'otherLocation0000001' }))))).toMatch(/for location otherLocation0000001/);
    // The age limit is configurable.
    const lenient = createTestContext({ connection: 'ghl', config: { ...config, webhookMaxAgeSeconds: 600 }, account: LOCATION });
    expect(rejection(() => update.verify?.(lenient, deliveryOf(old)))).toBe('accepted');
  });

  it('the default keys are GHL’s: a delivery signed with any other key is refused', () => {
    const defaults = createTestContext({ connection: 'ghl', config: { locationId: LOCATION }, account: LOCATION });
    expect(rejection(() => trigger('ContactCreate').verify?.(defaults, deliveryOf(contactEvent('ContactCreate'))))).toMatch(/WEBHOOK_REJECTED/);
    expect(rejection(() => trigger('ContactCreate').verify?.(defaults, deliveryOf(contactEvent('ContactCreate'), { scheme: 'rsa' })))).toMatch(/WEBHOOK_REJECTED/);
  });

  it('turns notes, tasks, appointments and deletions into records of their streams', () => {
    const base = { locationId: LOCATION, timestamp: new Date().toISOString() };
    const note = trigger('NoteCreate').parse?.(deliveryOf({ ...base, type: 'NoteCreate', id: 'n1', contactId: 'c1', body: 'hi' }));
    expect(note?.records).toEqual([{ locationId: LOCATION, id: 'n1', contactId: 'c1', body: 'hi' }]);
    expect(note?.orderKey).toBe('c1');
    const done = trigger('TaskComplete').parse?.(deliveryOf({ ...base, type: 'TaskComplete', id: 't1', contactId: 'c1', title: 'Call' }));
    expect(done?.records[0]).toMatchObject({ id: 't1', completed: true });
    const appointment = trigger('AppointmentCreate').parse?.(
      deliveryOf({ ...base, type: 'AppointmentCreate', appointment: { id: 'a1', contactId: 'c1', startTime: '2030-01-01 10:00:00' } }),
    );
    expect(appointment?.records).toEqual([{ id: 'a1', contactId: 'c1', startTime: '2030-01-01 10:00:00', locationId: LOCATION }]);
    const deleted = trigger('ContactDelete').parse?.(deliveryOf(contactEvent('ContactDelete')));
    expect(deleted?.records[0]).toMatchObject({ id: 'contact0000000000001', deleted: true });
    expect(trigger('NoteCreate').stream).toBe('contact.notes');
    expect(trigger('TaskDelete').stream).toBe('contact.tasks');
    expect(trigger('AppointmentUpdate').stream).toBe('contact.appointments');
  });

  it('keys deliveries by webhookId (the inbox dedupes on it), else by the body', () => {
    // One timestamp for both: the body is the key, so two clock readings would make two deliveries.
    const timestamp = new Date().toISOString();
    const a = trigger('ContactUpdate').parse?.(deliveryOf(contactEvent('ContactUpdate', { webhookId: undefined, timestamp })));
    const b = trigger('ContactUpdate').parse?.(deliveryOf(contactEvent('ContactUpdate', { webhookId: undefined, timestamp })));
    expect(a?.deliveryId).toMatch(/^[0-9a-f]{64}$/);
    expect(a?.deliveryId).toBe(b?.deliveryId);
  });

  it('names the location of each event as its partition key: on the payload, or inside an appointment', () => {
    const other = 'sbxLocation000000002';
    expect(trigger('ContactUpdate').parse?.(deliveryOf(contactEvent('ContactUpdate', { locationId: other })))?.partitionKey).toBe(other);
    const appointment = trigger('AppointmentCreate').parse?.(
      deliveryOf({ type: 'AppointmentCreate', timestamp: new Date().toISOString(), appointment: { id: 'a1', contactId: 'c1', locationId: other } }),
    );
    expect(appointment?.partitionKey).toBe(other);
    const nowhere = trigger('NoteCreate').parse?.(deliveryOf({ type: 'NoteCreate', timestamp: new Date().toISOString(), id: 'n1', contactId: 'c1' }));
    expect(nowhere).not.toHaveProperty('partitionKey');
    // Each partition of an agency connection is keyed by its locationId, the same key.
    expect(ghl.partitionKey({ locationId: other, companyId: 'company1' })).toBe(other);
    expect(ghl.partitionKey({ companyId: 'company1' })).toBeUndefined();
  });

  it('an agency connection (partitioned: no location of its own, no account) takes every location, still checking signature and age', () => {
    const { locationId: _single, ...agencyConfig } = config;
    const agency = createTestContext({ connection: 'agency', config: { ...agencyConfig, companyId: 'company1', appId: 'app1' } });
    const update = trigger('ContactUpdate');
    for (const location of [LOCATION, 'sbxLocation000000002', 'anyOtherLocation0001']) {
      expect(rejection(() => update.verify?.(agency, deliveryOf(contactEvent('ContactUpdate', { locationId: location }))))).toBe('accepted');
    }
    expect(rejection(() => update.verify?.(agency, deliveryOf(contactEvent('ContactUpdate'), { tamper: true })))).toMatch(/^WEBHOOK_REJECTED: x-ghl-signature/);
    expect(rejection(() => update.verify?.(agency, deliveryOf(contactEvent('ContactUpdate'), { scheme: 'none' })))).toMatch(/no x-ghl-signature/);
    const old = contactEvent('ContactUpdate', { timestamp: new Date(Date.now() - 6 * 60_000).toISOString() });
    expect(rejection(() => update.verify?.(agency, deliveryOf(old)))).toMatch(/WEBHOOK_REJECTED: the delivery is 360 s away/);
    // A connection of one location still refuses the others, whether its location is configured or its token's.
    const byToken = createTestContext({ connection: 'ghl', config: agencyConfig, account: LOCATION });
    expect(rejection(() => update.verify?.(byToken, deliveryOf(contactEvent('ContactUpdate', { locationId: 'otherLocation0000001' }))))).toMatch(
      /for location otherLocation0000001, not sbxLocation000000001/,
    );
  });

  it('refuses an event of another type, and tells which trigger it belongs to', () => {
    const delivery = deliveryOf(contactEvent('ContactDelete'));
    expect(rejection(() => trigger('ContactCreate').parse?.(delivery))).toMatch(/^WEBHOOK_EVENT_MISMATCH/);
    expect(webhookEventType(delivery.rawBody)).toBe('ContactDelete');
    expect(webhookEventType(Buffer.from('not json'))).toBeUndefined();
  });
});
