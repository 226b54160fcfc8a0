import { mulberry32, type Random } from '@ferry/core';
import type { StoredContact, StoredConversation, StoredMessage, StoredTag, StoredTeam } from './model.js';

const FIRST_NAMES = [
  'Ava', 'Liam', 'Olivia', 'Noah', 'Emma', 'Elijah', 'Sophia', 'Mateo', 'Isabella', 'Lucas', 'Mia', 'Levi',
  'Amelia', 'Ezra', 'Harper', 'Asher', 'Evelyn', 'Leo', 'Aria', 'James', 'Chloé', 'José', 'Zoë', 'Renée',
];
const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', "O'Neil", 'Nguyen',
];
const AREA_CODES = ['512', '303', '305', '206', '312', '617', '415', '702', '818', '917'];
/** Seeded tags; `lead` and `customer` qualify contacts in the demo pipelines. */
export const SEED_TAG_LABELS = ['lead', 'customer', 'vip', 'newsletter', 'webinar', 'trial'] as const;
const SOURCES = ['website', 'facebook', 'referral', 'import', 'api'];
const NOTE_TEXTS = ['Prefers texts after 5pm.', 'Asked about the annual plan.', 'Met at the spring expo.', 'Left a voicemail.'];
const INBOUND = ['Hi, is this still available?', 'Can we move our call to Friday?', 'Thanks!', 'STOP', 'What are your hours?'];
const OUTBOUND = ['Hi! Thanks for reaching out.', 'Sure, Friday at 10am works.', 'We are open 9-5 on weekdays.', 'Your order shipped today.'];

/** Seeded history lies between these instants; anything the sandbox does later is newer. */
const HISTORY_START = Date.parse('2023-01-01T00:00:00Z');
const HISTORY_END = Date.parse('2025-06-01T00:00:00Z');

export const FIRST_CONTACT_ID = 10_001;

export interface SeededWorld {
  readonly contacts: StoredContact[];
  readonly tags: StoredTag[];
  readonly teams: StoredTeam[];
  readonly conversations: StoredConversation[];
  readonly messages: StoredMessage[];
  readonly userIds: readonly number[];
}

function second(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function between(random: Random, from: number, to: number): number {
  return second(from + random() * (to - from));
}

function pick<T>(random: Random, list: readonly T[]): T {
  const item = list[Math.floor(random() * list.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

function slug(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-zA-Z]/g, '')
    .toLowerCase();
}

/**
 * Builds the account's data from a seed: the same seed and size always give the same contacts, ids, tags,
 * conversations and messages. About 40% of contacts carry `lead`, 25% `customer`, 8% are opted out; updated_at is
 * spread over two and a half years, with runs of contacts sharing one second (bulk imports) so that ties at a
 * watermark are exercised.
 */
export function seedWorld(seed: number, size: number): SeededWorld {
  const random = mulberry32((seed * 2_654_435_761) >>> 0);
  const userIds = [501, 502, 503];
  const tags: StoredTag[] = SEED_TAG_LABELS.map((label, i) => ({ id: i + 1, name: label, label, createdMs: HISTORY_START }));
  const teams: StoredTeam[] = [
    { id: 71, name: 'Sales', number: '+15125550100' },
    { id: 72, name: 'Support', number: '+15125550101' },
  ];
  const contacts: StoredContact[] = [];
  const created: number[] = Array.from({ length: size }, () => between(random, HISTORY_START, HISTORY_END - 86_400_000)).sort((a, b) => a - b);
  let bulkSecond: number | undefined;
  for (let i = 0; i < size; i += 1) {
    const createdMs = created[i] ?? HISTORY_START;
    const first = pick(random, FIRST_NAMES);
    const last = pick(random, LAST_NAMES);
    // A bulk import touches a run of contacts within one second.
    if (bulkSecond === undefined && random() < 0.02) bulkSecond = between(random, createdMs, HISTORY_END);
    let updatedMs = random() < 0.4 ? createdMs : between(random, createdMs, HISTORY_END);
    if (bulkSecond !== undefined) {
      updatedMs = Math.max(bulkSecond, createdMs);
      if (random() < 0.2) bulkSecond = undefined;
    }
    const area = AREA_CODES[Math.floor(i / 10_000) % AREA_CODES.length] ?? '512';
    const tagIds: number[] = [];
    if (random() < 0.4) tagIds.push(1);
    if (random() < 0.25) tagIds.push(2);
    for (const tag of tags.slice(2)) if (random() < 0.1) tagIds.push(tag.id);
    const optedOut = random() < 0.08;
    const email = random() < 0.85 ? `${slug(first)}.${slug(last)}${i}@example.com` : null;
    contacts.push({
      id: FIRST_CONTACT_ID + i,
      first_name: first,
      last_name: random() < 0.9 ? last : null,
      // Some addresses were typed in capitals: matching must lower-case them.
      email: email !== null && random() < 0.1 ? email.toUpperCase() : email,
      number: `+1${area}555${String(i % 10_000).padStart(4, '0')}`,
      country: 'US',
      is_blocked: false,
      opt_out: optedOut,
      optOutMs: optedOut ? updatedMs : null,
      optInMs: null,
      createdMs,
      updatedMs,
      owner_id: random() < 0.5 ? pick(random, userIds) : null,
      source: pick(random, SOURCES),
      phone_type: 'mobile',
      integration_vendor_id: null,
      contact_integration_id: null,
      tagIds,
      notes:
        random() < 0.3
          ? [{ id: 900_000 + i, text: pick(random, NOTE_TEXTS), createdMs: between(random, createdMs, updatedMs + 1000), updatedMs }]
          : [],
      custom_fields: random() < 0.5 ? [{ field_key: 'lead_score', text: null, number: Math.floor(random() * 100), date: null }] : [],
    });
  }

  const conversations: StoredConversation[] = [];
  const messages: StoredMessage[] = [];
  let messageId = 700_001;
  for (const contact of contacts) {
    if (random() >= 0.3) continue;
    const id = 300_001 + conversations.length;
    const count = 1 + Math.floor(random() * 6);
    let at = between(random, contact.createdMs, HISTORY_END);
    const firstMs = at;
    const teamId = pick(random, teams).id;
    for (let m = 0; m < count; m += 1) {
      const inbound = m % 2 === 0;
      messages.push({
        id: messageId,
        conversationId: id,
        contactId: contact.id,
        body: pick(random, inbound ? INBOUND : OUTBOUND),
        direction: inbound ? 'inbound' : 'outbound',
        status: inbound ? 'received' : 'delivered',
        userId: inbound ? null : pick(random, userIds),
        createdMs: at,
      });
      messageId += 1;
      at += 1000 * (30 + Math.floor(random() * 3600));
    }
    const lastMs = messages[messages.length - 1]?.createdMs ?? at;
    conversations.push({
      id,
      contactId: contact.id,
      teamId,
      isOpen: random() < 0.7,
      unreadCount: Math.floor(random() * 3),
      lastMessageMs: lastMs,
      createdMs: firstMs,
      updatedMs: lastMs,
    });
  }
  return { contacts, tags, teams, conversations, messages, userIds };
}
