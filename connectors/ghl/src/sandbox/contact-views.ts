import type { JsonRecord } from '@ferry/core';
import type { StoredContact, StoredNote, StoredTask, StoredAppointment } from './model.js';

/**
 * The API shows one contact in several shapes. These views reproduce the differences clients trip over:
 * search items say `address` (not `address1`) and give `dateOfBirth` in epoch ms; get-by-id and the list
 * endpoints say `address1` and give ISO dates. Views share the contact's arrays: stored contacts are never
 * changed in place, and a view is serialised at once.
 */

function fullName(c: StoredContact): string | undefined {
  const name = [c.firstName, c.lastName].filter((p) => p !== undefined && p !== '').join(' ');
  return name === '' ? undefined : name;
}

function lower(value: string | undefined): string | undefined {
  return value?.toLowerCase();
}

function common(c: StoredContact): JsonRecord {
  return {
    id: c.id,
    locationId: c.locationId,
    firstName: c.firstName,
    lastName: c.lastName,
    firstNameLowerCase: lower(c.firstName),
    lastNameLowerCase: lower(c.lastName),
    fullNameLowerCase: lower(fullName(c)),
    email: c.email,
    emailLowerCase: lower(c.email),
    phone: c.phone,
    companyName: c.companyName,
    city: c.city,
    state: c.state,
    postalCode: c.postalCode,
    country: c.country,
    website: c.website,
    timezone: c.timezone,
    source: c.source,
    type: c.type,
    assignedTo: c.assignedTo,
    dnd: c.dnd,
    dndSettings: c.dndSettings,
    tags: c.tags,
    customFields: c.customFields,
    businessId: c.businessId,
    dateAdded: c.dateAdded,
    dateUpdated: c.dateUpdated,
  };
}

/** GET /contacts/{id}, PUT /contacts/{id}, POST /contacts/upsert (GetContectByIdSchema). */
export function contactById(c: StoredContact): JsonRecord {
  const view = common(c);
  view['name'] = fullName(c);
  view['address1'] = c.address1;
  view['dateOfBirth'] = c.dateOfBirth;
  view['attributionSource'] = c.attributionSource;
  view['followers'] = c.followers;
  return view;
}

/** POST /contacts/ (CreateContactSchema). */
export function createdContact(c: StoredContact): JsonRecord {
  const view = common(c);
  view['deleted'] = false;
  view['address1'] = c.address1;
  view['dateOfBirth'] = c.dateOfBirth;
  return view;
}

/** POST /contacts/search items: `address`, epoch-ms `dateOfBirth`, and the `searchAfter` cursor. */
export function searchItem(c: StoredContact, searchAfter: readonly (string | number)[]): JsonRecord {
  const view = common(c);
  view['contactName'] = lower(fullName(c));
  view['businessName'] = c.companyName;
  view['address'] = c.address1;
  view['dateOfBirth'] = c.dateOfBirth === undefined ? undefined : Date.parse(c.dateOfBirth);
  view['followers'] = c.followers;
  view['additionalEmails'] = [];
  view['additionalPhones'] = [];
  view['searchAfter'] = searchAfter;
  return view;
}

/** GET /contacts/ (deprecated), GET /contacts/business/{id}, duplicate search (ContactsSearchSchema). */
export function listedContact(c: StoredContact): JsonRecord {
  const view = common(c);
  view['contactName'] = lower(fullName(c));
  view['address1'] = c.address1;
  view['dateOfBirth'] = c.dateOfBirth;
  view['followers'] = c.followers;
  view['attributions'] = c.attributionSource === undefined ? [] : [c.attributionSource];
  return view;
}

export function taskView(t: StoredTask): JsonRecord {
  return {
    id: t.id,
    title: t.title,
    body: t.body,
    assignedTo: t.assignedTo,
    dueDate: t.dueDate,
    completed: t.completed,
    contactId: t.contactId,
    dateAdded: t.dateAdded,
  };
}

export function noteView(n: StoredNote): JsonRecord {
  return {
    id: n.id,
    body: n.body,
    userId: n.userId,
    title: n.title,
    color: n.color,
    pinned: n.pinned,
    dateAdded: n.dateAdded,
    contactId: n.contactId,
  };
}

export function appointmentView(a: StoredAppointment): JsonRecord {
  return {
    id: a.id,
    calendarId: a.calendarId,
    status: a.status,
    title: a.title,
    assignedUserId: a.assignedUserId,
    notes: a.notes,
    startTime: a.startTime,
    endTime: a.endTime,
    address: a.address,
    locationId: a.locationId,
    contactId: a.contactId,
    appointmentStatus: a.appointmentStatus,
    users: [...a.users],
    dateAdded: a.dateAdded,
    dateUpdated: a.dateUpdated,
    assignedResources: [],
  };
}
