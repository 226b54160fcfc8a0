import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeConformance, type ActionFixture, type TriggerFixture } from '@ferry/core/testing';
import type { JsonRecord, WebhookDelivery } from '@ferry/core';
import { ghl } from './connector.js';
import ghlDefault from './index.js';
import { createGhlSandbox } from './sandbox/index.js';
import { contactOperations } from './spec/operations.js';
import { startSandbox, type SandboxHarness } from './testing/sandbox-harness.js';
import { GHL_WEBHOOK_EVENTS } from './triggers/webhook-triggers.js';

const SEED = 17;
const SIZE = 60;

/** The sandbox is deterministic: a preview built from the same seed names the records the fixture reads. */
interface Snapshot {
  locations: {
    id: string;
    contacts: { id: string; email?: string; tags?: string[]; businessId?: string }[];
    tasks: { id: string; contactId: string }[];
    notes: { id: string; contactId: string }[];
    appointments: { contactId: string }[];
  }[];
}
const preview = createGhlSandbox({ baseUrl: 'http://127.0.0.1', seed: SEED, size: SIZE }).snapshot() as unknown as Snapshot;
const location = preview.locations[0];
if (location === undefined) throw new Error('the sandbox seeded no location');
const contacts = location.contacts;
const withTags = contacts.find((c) => (c.tags ?? []).length > 0);
const withEmail = contacts.find((c) => c.email !== undefined);
const withBusiness = contacts.find((c) => c.businessId !== undefined);
const task = location.tasks[0];
const note = location.notes[0];
const appointment = location.appointments[0];
const [first, second, third] = contacts;
if (withTags === undefined || withEmail === undefined || withBusiness === undefined || task === undefined || note === undefined || appointment === undefined || first === undefined || second === undefined || third === undefined) {
  throw new Error('the seeded data lacks what the fixture needs');
}

const signing = generateKeyPairSync('ed25519');
const webhookPublicKey = signing.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

function delivery(type: string): () => WebhookDelivery {
  return () => {
    const now = new Date();
    const base: JsonRecord = { type, locationId: location?.id, timestamp: now.toISOString(), webhookId: `wh-${type}` };
    const payload: JsonRecord = type.startsWith('Contact')
      ? { ...base, id: first?.id, firstName: 'Web', email: 'web@example.com', tags: ['hook'] }
      : type.startsWith('Appointment')
        ? { ...base, appointment: { id: 'appt1', contactId: first?.id, calendarId: 'cal1', startTime: '2030-01-01 10:00:00' } }
        : type.startsWith('Note')
          ? { ...base, id: 'note1', contactId: first?.id, body: 'hello' }
          : { ...base, id: 'task1', contactId: first?.id, title: 'Call', dueDate: '2030-01-01T10:00:00Z' };
    const rawBody = Buffer.from(JSON.stringify(payload));
    return { headers: { 'x-ghl-signature': sign(null, rawBody, signing.privateKey).toString('base64') }, rawBody, receivedAt: now };
  };
}

const triggers: Record<string, TriggerFixture> = Object.fromEntries(GHL_WEBHOOK_EVENTS.map((type) => [type, { delivery: delivery(type), records: 1 }]));

const contactId = first.id;
const actions: Record<string, ActionFixture> = {
  'contacts.create': { validInput: { firstName: 'Conf', email: 'conf@example.com', tags: ['Conformance'] }, invalidInput: { firstName: 42 }, run: true },
  'contacts.update': { validInput: { id: contactId, city: 'Porto' }, invalidInput: { locationId: 'x' }, run: true },
  'contacts.upsert': { validInput: { email: 'upsert.conf@example.com', firstName: 'Up' }, invalidInput: { email: ['x'] }, run: true },
  'contacts.delete': { validInput: { id: third.id }, invalidInput: { id: '' }, run: true },
  'contacts.tags.add': { validInput: { contactId, tags: ['vip'] }, invalidInput: { tags: 'vip' }, run: true },
  'contacts.tags.remove': { validInput: { contactId, tags: ['vip'] }, invalidInput: { tags: [1] }, run: true },
  'contacts.followers.add': { validInput: { contactId, followers: ['user1'] }, invalidInput: { followers: 'user1' }, run: true },
  'contacts.followers.remove': { validInput: { contactId, followers: ['user1'] }, invalidInput: { contactId: 5 }, run: true },
  'contacts.campaigns.add': { validInput: { contactId, campaignId: 'camp1' }, invalidInput: { campaignId: 1 }, run: true },
  'contacts.campaigns.remove': { validInput: { contactId, campaignId: 'camp1' }, invalidInput: { campaign: 'x' }, run: true },
  'contacts.campaigns.removeAll': { validInput: { contactId }, invalidInput: { contactId: [] }, run: true },
  'contacts.workflows.add': { validInput: { contactId, workflowId: 'wf1' }, invalidInput: { workflowId: false }, run: true },
  'contacts.workflows.remove': { validInput: { contactId, workflowId: 'wf1' }, invalidInput: { workflow: 'x' }, run: true },
  'contacts.bulk.tags': { validInput: { contacts: [contactId], tags: ['bulk'] }, invalidInput: { type: 'toggle' }, options: { type: 'add' }, run: true },
  'contacts.bulk.business': { validInput: { ids: [contactId], businessId: null }, invalidInput: { businessId: 5 }, run: true },
  'tasks.create': { validInput: { contactId, title: 'Conformance call', dueDate: '2031-01-01T09:00:00Z' }, invalidInput: { contactId, title: 'No due date' }, run: true },
  'tasks.update': { validInput: { contactId: task.contactId, id: task.id, title: 'Renamed' }, invalidInput: { completed: 'yes' }, run: true },
  'tasks.complete': { validInput: { contactId: task.contactId, id: task.id }, invalidInput: { completed: 'yes' }, run: true },
  'tasks.delete': { validInput: { contactId: task.contactId, id: task.id }, invalidInput: { id: 3 }, run: true },
  'notes.create': { validInput: { contactId, body: 'Conformance note' }, invalidInput: { contactId }, run: true },
  'notes.update': { validInput: { contactId: note.contactId, id: note.id, body: 'Edited' }, invalidInput: { pinned: 'no' }, run: true },
  'notes.delete': { validInput: { contactId: note.contactId, id: note.id }, invalidInput: { extra: true }, run: true },
};

let harness: SandboxHarness | undefined;
function running(): SandboxHarness {
  if (harness === undefined) throw new Error('the sandbox is not running');
  return harness;
}

describeConformance(ghl, {
  validConfig: { locationId: location.id, baseUrl: 'http://127.0.0.1:1', webhookPublicKey },
  invalidConfigs: [
    { config: {}, because: 'has no locationId' },
    { config: { locationId: 'x', baseUrl: 'ftp://nope' }, because: 'has a base URL that is not http(s)' },
    { config: { locationId: 'x', locationID: 'typo' }, because: 'has an unknown key' },
    { config: { locationId: 'x', apiVersion: '2020-01-01' }, because: 'names an API version the spec does not allow' },
  ],
  setup: async () => {
    harness = await startSandbox({ seed: SEED, size: SIZE });
  },
  teardown: async () => {
    await harness?.close();
  },
  context: () => running().context({ config: { webhookPublicKey, searchPageLimit: 20 } }),
  streams: {
    contact: { params: { contactId } },
    'contact.tags': { params: { contactId: withTags.id } },
    'business.contacts': { params: { businessId: withBusiness.businessId ?? '' } },
    'contacts.duplicate': { params: { email: withEmail.email ?? '' } },
    'contact.tasks': { params: { contactId: task.contactId } },
    'contact.task': { params: { contactId: task.contactId, taskId: task.id } },
    'contact.notes': { params: { contactId: note.contactId } },
    'contact.note': { params: { contactId: note.contactId, noteId: note.id } },
    'contact.appointments': { params: { contactId: appointment.contactId } },
  },
  actions,
  triggers,
  errorCase: async (ctx) => {
    const update = ghl.actions.find((a) => a.name === 'contacts.update');
    return update?.run(ctx, { input: { id: 'noSuchContact0000001', city: 'X' }, options: {}, linkedId: undefined, source: { connector: 't', stream: 's', schema: {}, primaryKey: 'id' } });
  },
  errorCode: 'GHL_CONTACT_NOT_FOUND',
});

describe('the catalog', () => {
  const catalog = [
    ...ghl.streams.map((s) => ({ kind: 'stream', name: s.name, method: s.http?.method, path: s.http?.path, scope: s.scope })),
    ...ghl.actions.map((a) => ({ kind: 'action', name: a.name, method: a.http?.method, path: a.http?.path, scope: a.scope })),
  ];

  it('shows all 32 operations of the spec with method, path and scope', () => {
    for (const op of contactOperations()) {
      const entry = catalog.find((c) => c.method === op.method && c.path === op.path);
      expect(entry, `${op.method} ${op.path}`).toBeDefined();
      expect(entry?.scope).toBe(op.scope);
    }
    expect(contactOperations()).toHaveLength(32);
  });

  it("lists the seed request's 17 items", () => {
    const seed = [
      'GET /contacts/{contactId}',
      'GET /contacts/{contactId}/tasks',
      'GET /contacts/{contactId}/tasks/{taskId}',
      'GET /contacts/{contactId}/notes',
      'GET /contacts/{contactId}/notes/{id}',
      'GET /contacts/{contactId}/appointments',
      'GET /contacts/',
      'GET /contacts/business/{businessId}',
      'POST /contacts/',
      'PUT /contacts/{contactId}',
      'DELETE /contacts/{contactId}',
      'POST /contacts/{contactId}/tasks',
      'PUT /contacts/{contactId}/tasks/{taskId}',
      'PUT /contacts/{contactId}/tasks/{taskId}/completed',
      'DELETE /contacts/{contactId}/tasks/{taskId}',
      'POST /contacts/{contactId}/tags',
    ];
    const listed = new Set(catalog.map((c) => `${c.method ?? ''} ${c.path ?? ''}`));
    expect(seed.filter((s) => !listed.has(s))).toEqual([]);
    // Item 9 is the write scope itself: every write needs it, every read only contacts.readonly.
    expect(ghl.scopes).toEqual({ read: ['contacts.readonly'], write: ['contacts.write'] });
    expect(catalog.filter((c) => c.kind === 'action').every((c) => c.scope === 'contacts.write')).toBe(true);
    expect(catalog.filter((c) => c.kind === 'stream').every((c) => c.scope === 'contacts.readonly')).toBe(true);
  });

  it('is the default export, with a client factory', () => {
    expect(ghlDefault).toBe(ghl);
    expect(typeof ghl.client).toBe('function');
  });
});
