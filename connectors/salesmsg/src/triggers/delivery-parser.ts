import type { JsonRecord, TriggerEvent, WebhookDelivery } from '@ferry/core';
import { contentHash, isFerryError } from '@ferry/core';
import { toContactRecord, type ContactRecord } from '../records/contact.js';
import { toMessageRecord, type MessageRecord } from '../records/message.js';
import { integerId, isRecord } from '../records/values.js';
import { webhookRejected } from './url-secret.js';

/** Headers that may carry a delivery id (the live API's is not documented): the first present one wins. */
export const DELIVERY_ID_HEADERS = ['x-salesmsg-delivery-id', 'x-salesmsg-webhook-id', 'x-webhook-id', 'x-delivery-id', 'x-request-id'] as const;

export type DeliveryKind = 'contact' | 'message';

/** `contact.opted_out`, `ContactOptedOut` and `contact-opted-out` name one event. */
export function eventKey(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function header(delivery: WebhookDelivery, name: string): string | undefined {
  for (const [key, value] of Object.entries(delivery.headers)) {
    if (key.toLowerCase() === name && value !== undefined && value.trim() !== '') return value.trim();
  }
  return undefined;
}

function malformed(detail: string): never {
  throw webhookRejected(
    `the Salesmsg delivery is not one this trigger can read: ${detail}`,
    'expected a JSON body {event, data: {contact | message, …}}: check the webhook configured in Salesmsg (or report the payload)',
    'malformed',
  );
}

/** The body as JSON, or a rejection: never an exception of another kind. */
function bodyOf(delivery: WebhookDelivery): JsonRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(delivery.rawBody.toString('utf8'));
  } catch {
    return malformed('the body is not JSON');
  }
  if (!isRecord(parsed)) return malformed('the body is not a JSON object');
  return parsed;
}

function read<T>(what: string, reader: () => T): T {
  try {
    return reader();
  } catch (error) {
    if (isFerryError(error)) return malformed(`${what}: ${error.message}`);
    throw error;
  }
}

function contactOf(data: JsonRecord): ContactRecord {
  const raw = isRecord(data['contact']) ? data['contact'] : integerId(data['id']) !== undefined ? data : undefined;
  if (raw === undefined) return malformed('data.contact is missing');
  return read('data.contact', () => toContactRecord(raw));
}

function messageOf(data: JsonRecord): MessageRecord {
  if (!isRecord(data['message'])) return malformed('data.message is missing');
  const rawMessage = data['message'];
  const message = read('data.message', () => toMessageRecord(rawMessage));
  const contactId = message.contact_id ?? (isRecord(data['contact']) ? integerId(data['contact']['id']) : undefined) ?? null;
  const conversationId = message.conversation_id ?? (isRecord(data['conversation']) ? integerId(data['conversation']['id']) : undefined) ?? null;
  return { ...message, contact_id: contactId, conversation_id: conversationId };
}

/**
 * Turns a delivery into records, defensively: anything but the envelope `{event, data: {contact | message, …}}`
 * (a bare contact is accepted too) is a WEBHOOK_REJECTED FerryError, never a crash. The delivery id is a header's
 * when one is sent, else event + record id + updated_at (so a repeated delivery of one change dedupes, and the
 * next change of the same contact does not).
 */
export function parseDelivery(trigger: string, kind: DeliveryKind, delivery: WebhookDelivery): TriggerEvent {
  const body = bodyOf(delivery);
  const event = body['event'];
  if (event !== undefined && typeof event !== 'string') return malformed('event is not a string');
  if (typeof event === 'string' && eventKey(event) !== eventKey(trigger)) {
    throw webhookRejected(
      `a '${event}' delivery reached the '${trigger}' receiver`,
      `give each Salesmsg webhook event its own URL (…/${trigger}/<secret> receives ${trigger} only)`,
      'wrong-event',
    );
  }
  const data = isRecord(body['data']) ? body['data'] : body;
  const record = kind === 'contact' ? contactOf(data) : messageOf(data);
  const stamp = record.updated_at ?? record.created_at ?? contentHash(delivery.rawBody.toString('base64'));
  const deliveryId = DELIVERY_ID_HEADERS.map((name) => header(delivery, name)).find((value) => value !== undefined) ?? `${trigger}:${record.id}:${String(stamp)}`;
  const orderId = kind === 'contact' ? record.id : ((record as MessageRecord).contact_id ?? (record as MessageRecord).conversation_id);
  return {
    deliveryId,
    records: [record],
    ...(orderId === null ? {} : { orderKey: kind === 'contact' || (record as MessageRecord).contact_id !== null ? `contact:${orderId}` : `conversation:${orderId}` }),
  };
}
