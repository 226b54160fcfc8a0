import { mulberry32, type Random } from '@ferry/core';
import { createIdFactory, pick } from './ids.js';
import { LocationState, type Business } from './location-state.js';
import type { CustomFieldDefinition, DuplicateSetting, StoredContact } from './model.js';

const FIRST_NAMES = [
  'Ava', 'Liam', 'Olivia', 'Noah', 'Emma', 'Elijah', 'Sophia', 'Mateo', 'Isabella', 'Lucas', 'Mia', 'Levi',
  'Amelia', 'Ezra', 'Harper', 'Asher', 'Evelyn', 'Leo', 'Aria', 'James', 'Chloé', 'José', 'Zoë', 'Renée',
];
const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', "O'Neil", 'Nguyen',
];
const COMPANIES = ['Acme Roofing', 'Bluebird Dental', 'Cedar Realty', 'Delta Fitness', 'Evergreen Law', 'Foxglove Spa'];
const PLACES = [
  { city: 'Austin', state: 'TX', postalCode: '78701', timezone: 'America/Chicago', area: '512' },
  { city: 'Denver', state: 'CO', postalCode: '80202', timezone: 'America/Denver', area: '303' },
  { city: 'Miami', state: 'FL', postalCode: '33101', timezone: 'America/New_York', area: '305' },
  { city: 'Seattle', state: 'WA', postalCode: '98101', timezone: 'America/Los_Angeles', area: '206' },
  { city: 'Chicago', state: 'IL', postalCode: '60601', timezone: 'America/Chicago', area: '312' },
  { city: 'Boston', state: 'MA', postalCode: '02108', timezone: 'America/New_York', area: '617' },
];
const AREA_CODES = ['512', '303', '305', '206', '312', '617', '415', '702', '818', '917'];
const TAGS = ['lead', 'customer', 'vip', 'newsletter', 'webinar', 'trial', 'salesmsg-lead', 'referral', 'cold', 'hot'];
const SOURCES = ['website', 'facebook', 'referral', 'salesmsg', 'import', 'google ads'];
const TASK_TITLES = ['Call back', 'Send proposal', 'Follow up on quote', 'Book consultation', 'Collect review', 'Renewal check-in'];
const NOTE_BODIES = [
  'Prefers text messages after 5pm.',
  'Asked about the annual plan discount.',
  'Met at the spring expo; interested in a demo.',
  'Left a voicemail, will try again Thursday.',
];

/** Seeded history sits before this instant; anything the sandbox does later is newer. */
const SEED_HISTORY_START = Date.parse('2023-01-01T00:00:00.000Z');
const SEED_HISTORY_END = Date.parse('2025-06-01T00:00:00.000Z');

function isoDay(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 10)}T00:00:00.000Z`;
}

/** "YYYY-MM-DD HH:mm:ss", the appointments' own format. */
export function appointmentTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function between(random: Random, from: number, to: number): number {
  return Math.floor(from + random() * (to - from));
}

function chance(random: Random, p: number): boolean {
  return random() < p;
}

function asciiSlug(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-zA-Z]/g, '')
    .toLowerCase();
}

export interface SeedInput {
  readonly locationId: string;
  /** Position of the location in the list: locations get different (but fixed) data. */
  readonly locationIndex: number;
  readonly companyId: string;
  readonly seed: number;
  readonly size: number;
  readonly searchLagMs: number;
  readonly duplicates: DuplicateSetting;
}

/**
 * Builds one location with `size` contacts and their tasks, notes and appointments. The same seed, size and
 * location index always give the same data, ids included.
 */
export function seedLocation(input: SeedInput): { location: LocationState; users: readonly string[] } {
  const random = mulberry32((input.seed * 1_000_003 + input.locationIndex * 7_919) >>> 0);
  const newId = createIdFactory(random);
  const users = Array.from({ length: 5 }, () => newId());
  const customFields: CustomFieldDefinition[] = [
    { id: newId(), key: 'contact.lead_score', name: 'Lead score', dataType: 'NUMERICAL' },
    { id: newId(), key: 'contact.favorite_color', name: 'Favorite color', dataType: 'TEXT' },
    { id: newId(), key: 'contact.plan', name: 'Plan', dataType: 'SINGLE_OPTIONS' },
  ];
  const businesses: Business[] = COMPANIES.map((name) => ({ id: newId(), name }));
  const calendars = [newId(), newId()];
  const location = new LocationState(
    input.locationId,
    input.companyId,
    `Sandbox location ${input.locationIndex + 1}`,
    input.duplicates,
    customFields,
    businesses,
    input.searchLagMs,
  );

  const contacts: StoredContact[] = [];
  for (let i = 0; i < input.size; i += 1) {
    const firstName = pick(random, FIRST_NAMES);
    const lastName = pick(random, LAST_NAMES);
    const place = pick(random, PLACES);
    const addedMs = between(random, SEED_HISTORY_START, SEED_HISTORY_END - 86_400_000);
    const updatedMs = chance(random, 0.5) ? addedMs : between(random, addedMs, SEED_HISTORY_END);
    const business = chance(random, 0.2) ? pick(random, businesses) : undefined;
    // Numbers in the 555 exchange (largely unassigned), unique per location by construction.
    const area = AREA_CODES[Math.floor(i / 10_000) % AREA_CODES.length] ?? '512';
    const phone = chance(random, 0.9) ? `+1${area}555${String(i % 10_000).padStart(4, '0')}` : undefined;
    const email = chance(random, 0.9) ? `${asciiSlug(firstName)}.${asciiSlug(lastName)}${i}@example.com` : undefined;
    const tags = TAGS.filter(() => chance(random, 0.15));
    const contact: StoredContact = {
      id: newId(),
      locationId: input.locationId,
      firstName,
      lastName,
      email,
      phone,
      companyName: business?.name ?? (chance(random, 0.2) ? pick(random, COMPANIES) : undefined),
      address1: chance(random, 0.6) ? `${between(random, 1, 9999)} Main St` : undefined,
      city: place.city,
      state: place.state,
      postalCode: place.postalCode,
      country: 'US',
      website: undefined,
      timezone: place.timezone,
      gender: undefined,
      source: pick(random, SOURCES),
      assignedTo: chance(random, 0.5) ? pick(random, users) : undefined,
      type: chance(random, 0.3) ? 'customer' : 'lead',
      dnd: chance(random, 0.05),
      dndSettings: undefined,
      inboundDndSettings: undefined,
      tags,
      customFields: [
        ...(chance(random, 0.5) ? [{ id: customFields[0]?.id ?? '', value: String(between(random, 1, 100)) }] : []),
        ...(chance(random, 0.3) ? [{ id: customFields[1]?.id ?? '', value: pick(random, ['red', 'green', 'blue']) }] : []),
      ],
      businessId: business?.id,
      dateOfBirth: chance(random, 0.6) ? isoDay(between(random, Date.parse('1950-01-01'), Date.parse('2004-01-01'))) : undefined,
      attributionSource: chance(random, 0.3) ? { url: 'https://example.com/landing', campaign: null, utmSource: 'google', medium: 'paid' } : undefined,
      followers: chance(random, 0.2) ? [pick(random, users)] : [],
      dateAdded: new Date(addedMs).toISOString(),
      dateUpdated: new Date(updatedMs).toISOString(),
      addedMs,
      updatedMs,
    };
    contacts.push(contact);

    const taskCount = Math.floor(random() * 4);
    const tasks = location.tasksOf(contact.id);
    for (let t = 0; t < taskCount; t += 1) {
      const id = newId();
      tasks.set(id, {
        id,
        contactId: contact.id,
        title: pick(random, TASK_TITLES),
        body: chance(random, 0.5) ? 'Seeded task' : undefined,
        assignedTo: chance(random, 0.6) ? pick(random, users) : undefined,
        dueDate: new Date(between(random, addedMs, SEED_HISTORY_END + 90 * 86_400_000)).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        completed: chance(random, 0.4),
        dateAdded: new Date(between(random, addedMs, SEED_HISTORY_END)).toISOString(),
      });
    }
    const noteCount = Math.floor(random() * 3);
    const notes = location.notesOf(contact.id);
    for (let n = 0; n < noteCount; n += 1) {
      const id = newId();
      notes.set(id, {
        id,
        contactId: contact.id,
        body: pick(random, NOTE_BODIES),
        userId: pick(random, users),
        title: undefined,
        color: undefined,
        pinned: false,
        dateAdded: new Date(between(random, addedMs, SEED_HISTORY_END)).toISOString(),
      });
    }
    const appointmentCount = Math.floor(random() * 3);
    if (appointmentCount > 0) {
      location.appointments.set(
        contact.id,
        Array.from({ length: appointmentCount }, () => {
          const start = Math.floor(between(random, addedMs, SEED_HISTORY_END + 60 * 86_400_000) / 1_800_000) * 1_800_000;
          const status = pick(random, ['confirmed', 'showed', 'cancelled', 'noshow']);
          const assignedUserId = pick(random, users);
          return {
            id: newId(),
            contactId: contact.id,
            locationId: input.locationId,
            calendarId: pick(random, calendars),
            title: `Consultation with ${firstName}`,
            status: status === 'cancelled' ? 'cancelled' : 'booked',
            appointmentStatus: status,
            assignedUserId,
            notes: '',
            address: 'Zoom',
            startTime: appointmentTime(start),
            endTime: appointmentTime(start + 1_800_000),
            dateAdded: new Date(Math.max(addedMs, start - 7 * 86_400_000)).toISOString(),
            dateUpdated: new Date(Math.max(addedMs, start - 7 * 86_400_000)).toISOString(),
            users: [assignedUserId],
          };
        }),
      );
    }
  }
  location.loadContacts(contacts);
  return { location, users };
}
