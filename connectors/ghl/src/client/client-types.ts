import type { JsonRecord } from '@ferry/core';
import type { GhlContact } from '../records/contact-record.js';

/** A custom field value to write: `{id, field_value}` (`key` optional), as the API takes it. */
export interface CustomFieldWrite {
  readonly id: string;
  readonly key?: string;
  readonly field_value?: unknown;
}

/** Fields of a contact create/upsert (CreateContactDto without locationId, which the client adds). */
export type ContactInput = JsonRecord & {
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly name?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly companyName?: string | null;
  readonly address1?: string | null;
  readonly city?: string | null;
  readonly state?: string | null;
  readonly postalCode?: string;
  readonly country?: string;
  readonly website?: string | null;
  readonly timezone?: string | null;
  readonly source?: string;
  readonly dnd?: boolean;
  readonly tags?: readonly string[];
  readonly customFields?: readonly CustomFieldWrite[];
  readonly dateOfBirth?: string | null;
  readonly assignedTo?: string;
};

/** Fields of PUT /contacts/{id} (UpdateContactDto): no locationId, no companyName. */
export type ContactUpdate = Omit<ContactInput, 'companyName'>;

export interface UpsertResult {
  readonly contact: GhlContact;
  /** true when the upsert created the contact, false when it matched an existing one. */
  readonly created: boolean;
}

export interface TaskInput {
  readonly title: string;
  /** ISO 8601 (without milliseconds is what the API documents). */
  readonly dueDate: string;
  readonly completed?: boolean;
  readonly body?: string;
  readonly assignedTo?: string;
}

export interface NoteInput {
  readonly body: string;
  readonly userId?: string;
  readonly title?: string;
  readonly color?: string;
  readonly pinned?: boolean;
}

export type SearchOperator = 'eq' | 'not_eq' | 'contains' | 'not_contains' | 'exists' | 'not_exists' | 'range';

export type SearchFilter =
  | { readonly field: string; readonly operator: SearchOperator; readonly value?: unknown }
  | { readonly group: 'AND' | 'OR'; readonly filters: readonly SearchFilter[] };

export interface SearchSort {
  readonly field: 'dateAdded' | 'dateUpdated' | 'email' | 'firstNameLowerCase' | 'lastNameLowerCase' | 'businessName' | 'dnd' | 'source';
  readonly direction: 'asc' | 'desc';
}

export interface SearchQuery {
  readonly filters?: readonly SearchFilter[];
  /** At most two keys. */
  readonly sort?: readonly SearchSort[];
  /** Free text, at most 75 characters. */
  readonly query?: string;
  /** Contacts per page, at most 500 (the default). */
  readonly pageLimit?: number;
}

export interface SearchPage {
  readonly contacts: readonly GhlContact[];
  /** The `searchAfter` cursor of each contact, in order (pass the last one for the next page). */
  readonly cursors: readonly (readonly (string | number)[] | undefined)[];
  readonly total?: number;
}
