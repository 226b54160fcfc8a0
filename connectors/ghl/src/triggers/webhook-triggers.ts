import { createHash } from 'node:crypto';
import { FerryError, type ConnectorContext, type JsonRecord, type TriggerDef, type TriggerEvent, type WebhookDelivery } from '@ferry/core';
import { normalizeContact } from '../records/contact-record.js';
import { withoutNulls } from '../records/related-records.js';
import { checkFreshness, readWebhookSettings, verifySignature } from './webhook-signature.js';

type EventFamily = 'contact' | 'note' | 'task' | 'appointment';

interface EventSpec {
  readonly type: string;
  readonly family: EventFamily;
  readonly description: string;
}

const EVENTS: readonly EventSpec[] = [
  { type: 'ContactCreate', family: 'contact', description: 'A contact was created' },
  { type: 'ContactUpdate', family: 'contact', description: 'A contact was updated' },
  { type: 'ContactDelete', family: 'contact', description: 'A contact was deleted (record has deleted: true)' },
  { type: 'ContactDndUpdate', family: 'contact', description: "A contact's do-not-disturb settings changed" },
  { type: 'ContactTagUpdate', family: 'contact', description: "A contact's tags changed" },
  { type: 'NoteCreate', family: 'note', description: 'A note was added to a contact' },
  { type: 'NoteUpdate', family: 'note', description: 'A note was changed' },
  { type: 'NoteDelete', family: 'note', description: 'A note was deleted (record has deleted: true)' },
  { type: 'TaskCreate', family: 'task', description: 'A task was created' },
  { type: 'TaskComplete', family: 'task', description: 'A task was completed' },
  { type: 'TaskDelete', family: 'task', description: 'A task was deleted (record has deleted: true)' },
  { type: 'AppointmentCreate', family: 'appointment', description: 'An appointment was booked' },
  { type: 'AppointmentUpdate', family: 'appointment', description: 'An appointment changed' },
  { type: 'AppointmentDelete', family: 'appointment', description: 'An appointment was deleted (record has deleted: true)' },
];

const STREAM_OF: Readonly<Record<EventFamily, string>> = {
  contact: 'contacts',
  note: 'contact.notes',
  task: 'contact.tasks',
  appointment: 'contact.appointments',
};

/** Envelope fields of a delivery that are not fields of the record. */
const ENVELOPE = new Set(['type', 'timestamp', 'webhookId', 'appointment']);

function payloadOf(delivery: WebhookDelivery): JsonRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(delivery.rawBody.toString('utf8'));
  } catch (error) {
    throw new FerryError('WEBHOOK_REJECTED', 'the delivery body is not JSON', { hint: 'GHL sends JSON bodies: is something else calling this endpoint?', cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FerryError('WEBHOOK_REJECTED', 'the delivery body is not a JSON object', { hint: 'GHL sends one event object per delivery' });
  }
  return parsed as JsonRecord;
}

function recordOf(spec: EventSpec, payload: JsonRecord): JsonRecord {
  const source = spec.family === 'appointment' && typeof payload['appointment'] === 'object' && payload['appointment'] !== null ? (payload['appointment'] as JsonRecord) : payload;
  const fields: JsonRecord = {};
  for (const [key, value] of Object.entries(source)) if (!ENVELOPE.has(key)) fields[key] = value;
  if (spec.family === 'appointment' && fields['locationId'] === undefined && typeof payload['locationId'] === 'string') fields['locationId'] = payload['locationId'];
  const record: JsonRecord = spec.family === 'contact' ? normalizeContact(fields) : withoutNulls(fields);
  if (spec.type.endsWith('Delete')) record['deleted'] = true;
  if (spec.type === 'TaskComplete') record['completed'] = true;
  return record;
}

/**
 * The one location a connection's deliveries must be for: its locationId, else the location of its token. None for
 * a connection over many locations: ferry gives a partitioned connection's `verify` a context without an account.
 */
function connectionLocation(ctx: ConnectorContext): string | undefined {
  const configured = ctx.config['locationId'];
  return typeof configured === 'string' && configured !== '' ? configured : ctx.account;
}

function webhookTrigger(spec: EventSpec): TriggerDef {
  return {
    name: spec.type,
    description: `${spec.description} (GHL webhook ${spec.type})`,
    kind: 'webhook',
    stream: STREAM_OF[spec.family],
    verify(ctx, delivery) {
      const settings = readWebhookSettings(ctx.config);
      verifySignature(delivery, settings);
      const payload = payloadOf(delivery);
      checkFreshness(payload['timestamp'], delivery.receivedAt, settings.webhookMaxAgeSeconds);
      // A connection over many locations (partitions) takes any of them: ferry routes each to its partition.
      const expected = connectionLocation(ctx);
      const location = payload['locationId'];
      if (expected !== undefined && typeof location === 'string' && location !== expected) {
        throw new FerryError('WEBHOOK_REJECTED', `the delivery is for location ${location}, not ${expected}`, {
          hint: "each location needs its own connection (or a partition of an agency connection): add one for this location, or check the app's webhook URL",
        });
      }
    },
    parse(delivery): TriggerEvent {
      const payload = payloadOf(delivery);
      if (payload['type'] !== spec.type) {
        throw new FerryError('WEBHOOK_EVENT_MISMATCH', `a ${String(payload['type'])} delivery reached the ${spec.type} trigger`, {
          hint: `route ${String(payload['type'])} deliveries to ghl/${String(payload['type'])}`,
        });
      }
      const record = recordOf(spec, payload);
      const webhookId = payload['webhookId'];
      // GHL retries with the same webhookId; without one the body itself identifies the delivery.
      const deliveryId = typeof webhookId === 'string' && webhookId !== '' ? webhookId : createHash('sha256').update(delivery.rawBody).digest('hex');
      const contactId = spec.family === 'contact' ? record['id'] : record['contactId'];
      const location = record['locationId'];
      return {
        deliveryId,
        records: [record],
        ...(typeof contactId === 'string' ? { orderKey: contactId } : {}),
        // The location routes the delivery to its partition on an agency connection.
        ...(typeof location === 'string' && location !== '' ? { partitionKey: location } : {}),
      };
    },
  };
}

/** The webhook event type of a raw delivery (`ContactCreate`, …), to route it to its trigger. */
export function webhookEventType(rawBody: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(rawBody.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as JsonRecord)['type'] === 'string' ? ((parsed as JsonRecord)['type'] as string) : undefined;
  } catch {
    return undefined;
  }
}

export const webhookTriggers: readonly TriggerDef[] = EVENTS.map(webhookTrigger);

/** Reconciliation when webhooks are missed (GHL retries only 429 answers): an incremental read of contacts. */
export const contactsPollTrigger: TriggerDef = {
  name: 'contacts.changed',
  description: 'Polls contacts changed since the last run (incremental read of contacts); backs up the Contact* webhooks',
  kind: 'poll',
  stream: 'contacts',
};

export const GHL_WEBHOOK_EVENTS: readonly string[] = EVENTS.map((e) => e.type);
