import type {
  CustomFieldDefinition,
  DuplicateSetting,
  StoredAppointment,
  StoredContact,
  StoredNote,
  StoredTask,
} from './model.js';
import { phoneKey } from './phone.js';
import { SearchIndex } from './search-index.js';

function addToIndex(index: Map<string, Set<string>>, key: string | undefined, id: string): void {
  if (key === undefined || key === '') return;
  let ids = index.get(key);
  if (ids === undefined) {
    ids = new Set();
    index.set(key, ids);
  }
  ids.add(id);
}

function removeFromIndex(index: Map<string, Set<string>>, key: string | undefined, id: string): void {
  if (key === undefined || key === '') return;
  const ids = index.get(key);
  if (ids === undefined) return;
  ids.delete(id);
  if (ids.size === 0) index.delete(key);
}

export interface Business {
  readonly id: string;
  readonly name: string;
}

/**
 * One location (sub-account): its contacts and their tasks, notes and appointments, with the indexes the hot
 * paths need (by id, by email, by phone, by business) kept up to date on every change.
 */
export class LocationState {
  readonly contacts = new Map<string, StoredContact>();
  private readonly byEmail = new Map<string, Set<string>>();
  private readonly byPhone = new Map<string, Set<string>>();
  private readonly byBusiness = new Map<string, Set<string>>();
  readonly tasks = new Map<string, Map<string, StoredTask>>();
  readonly notes = new Map<string, Map<string, StoredNote>>();
  readonly appointments = new Map<string, StoredAppointment[]>();
  private readonly enrollments = new Map<string, { readonly campaigns: Set<string>; readonly workflows: Set<string> }>();
  readonly search: SearchIndex;

  constructor(
    readonly id: string,
    readonly companyId: string,
    readonly name: string,
    readonly duplicates: DuplicateSetting,
    readonly customFieldDefinitions: readonly CustomFieldDefinition[],
    readonly businesses: readonly Business[],
    searchLagMs: number,
  ) {
    this.search = new SearchIndex(searchLagMs);
  }

  /** Loads seed data: every index built once, search included (visible at once). */
  loadContacts(contacts: readonly StoredContact[]): void {
    for (const contact of contacts) {
      this.contacts.set(contact.id, contact);
      this.indexKeys(contact);
    }
    this.search.load(contacts);
  }

  insertContact(contact: StoredContact, now: number): void {
    this.contacts.set(contact.id, contact);
    this.indexKeys(contact);
    this.search.put(contact, now);
  }

  /**
   * Stores a changed copy of a contact, keeping every index (and dateUpdated) current, and returns it. The old
   * version stays untouched: search may still be showing it.
   */
  changeContact(contact: StoredContact, now: number, change: (draft: StoredContact) => void): StoredContact {
    const draft: StoredContact = {
      ...contact,
      tags: [...contact.tags],
      customFields: contact.customFields.map((f) => ({ ...f })),
      followers: [...contact.followers],
    };
    change(draft);
    draft.updatedMs = Math.max(now, contact.updatedMs);
    draft.dateUpdated = new Date(draft.updatedMs).toISOString();
    this.unindexKeys(contact);
    this.contacts.set(draft.id, draft);
    this.indexKeys(draft);
    this.search.put(draft, now);
    return draft;
  }

  /** Campaigns and workflows a contact is enrolled in (not contact fields: no dateUpdated change). */
  enrollmentsOf(contactId: string): { readonly campaigns: Set<string>; readonly workflows: Set<string> } {
    let found = this.enrollments.get(contactId);
    if (found === undefined) {
      found = { campaigns: new Set(), workflows: new Set() };
      this.enrollments.set(contactId, found);
    }
    return found;
  }

  deleteContact(contact: StoredContact, now: number): void {
    this.unindexKeys(contact);
    this.contacts.delete(contact.id);
    this.tasks.delete(contact.id);
    this.notes.delete(contact.id);
    this.appointments.delete(contact.id);
    this.enrollments.delete(contact.id);
    this.search.delete(contact.id, now);
  }

  idsByEmail(email: string): readonly string[] {
    return [...(this.byEmail.get(email.trim().toLowerCase()) ?? [])];
  }

  idsByPhone(phone: string): readonly string[] {
    return [...(this.byPhone.get(phoneKey(phone)) ?? [])];
  }

  idsByBusiness(businessId: string): readonly string[] {
    return [...(this.byBusiness.get(businessId) ?? [])];
  }

  /** The contact that "is" this email or phone, in the location's priority order (oldest contact first). */
  findDuplicate(
    email: string | undefined,
    phone: string | undefined,
    priority: readonly ('email' | 'phone')[] = this.duplicates.priority,
  ): { contact: StoredContact; field: 'email' | 'phone' } | undefined {
    for (const field of priority) {
      const value = field === 'email' ? email : phone;
      if (value === undefined || value === '') continue;
      const ids = field === 'email' ? this.idsByEmail(value) : this.idsByPhone(value);
      const matches = ids.map((id) => this.contacts.get(id)).filter((c): c is StoredContact => c !== undefined);
      matches.sort((a, b) => a.addedMs - b.addedMs || (a.id < b.id ? -1 : 1));
      const first = matches[0];
      if (first !== undefined) return { contact: first, field };
    }
    return undefined;
  }

  tasksOf(contactId: string): Map<string, StoredTask> {
    let tasks = this.tasks.get(contactId);
    if (tasks === undefined) {
      tasks = new Map();
      this.tasks.set(contactId, tasks);
    }
    return tasks;
  }

  notesOf(contactId: string): Map<string, StoredNote> {
    let notes = this.notes.get(contactId);
    if (notes === undefined) {
      notes = new Map();
      this.notes.set(contactId, notes);
    }
    return notes;
  }

  private indexKeys(contact: StoredContact): void {
    addToIndex(this.byEmail, contact.email?.trim().toLowerCase(), contact.id);
    addToIndex(this.byPhone, contact.phone === undefined ? undefined : phoneKey(contact.phone), contact.id);
    addToIndex(this.byBusiness, contact.businessId, contact.id);
  }

  private unindexKeys(contact: StoredContact): void {
    removeFromIndex(this.byEmail, contact.email?.trim().toLowerCase(), contact.id);
    removeFromIndex(this.byPhone, contact.phone === undefined ? undefined : phoneKey(contact.phone), contact.id);
    removeFromIndex(this.byBusiness, contact.businessId, contact.id);
  }
}
