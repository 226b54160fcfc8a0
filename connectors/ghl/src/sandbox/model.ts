/**
 * The sandbox's stored entities. Field names follow the API's get-by-id shapes; optional fields are
 * `undefined` rather than absent so that an update can clear them (JSON serialisation drops them).
 * A stored contact is never changed in place once stored: a change stores a changed copy, so the search index
 * can share the objects and still show the old version while it lags.
 */

export interface StoredCustomField {
  id: string;
  value: string;
}

export interface AttributionSource {
  url: string;
  campaign?: string | null;
  utmSource?: string | null;
  utmMedium?: string | null;
  referrer?: string | null;
  medium?: string | null;
  sessionSource?: string;
}

export interface StoredContact {
  readonly id: string;
  readonly locationId: string;
  firstName: string | undefined;
  lastName: string | undefined;
  email: string | undefined;
  phone: string | undefined;
  companyName: string | undefined;
  address1: string | undefined;
  city: string | undefined;
  state: string | undefined;
  postalCode: string | undefined;
  country: string | undefined;
  website: string | undefined;
  timezone: string | undefined;
  gender: string | undefined;
  source: string | undefined;
  assignedTo: string | undefined;
  type: 'lead' | 'customer';
  dnd: boolean;
  dndSettings: Record<string, { status: string; message?: string; code?: string }> | undefined;
  inboundDndSettings: Record<string, { status: string; message?: string }> | undefined;
  tags: string[];
  customFields: StoredCustomField[];
  businessId: string | undefined;
  /** ISO date (midnight UTC). */
  dateOfBirth: string | undefined;
  attributionSource: AttributionSource | undefined;
  followers: string[];
  readonly dateAdded: string;
  dateUpdated: string;
  /** Epoch ms of dateAdded / dateUpdated, the sort keys of the search index. */
  readonly addedMs: number;
  updatedMs: number;
}

export interface StoredTask {
  readonly id: string;
  readonly contactId: string;
  title: string;
  body: string | undefined;
  assignedTo: string | undefined;
  /** ISO date-time. */
  dueDate: string;
  completed: boolean;
  readonly dateAdded: string;
}

export interface StoredNote {
  readonly id: string;
  readonly contactId: string;
  body: string;
  userId: string | undefined;
  title: string | undefined;
  color: string | undefined;
  pinned: boolean;
  readonly dateAdded: string;
}

export interface StoredAppointment {
  readonly id: string;
  readonly contactId: string;
  readonly locationId: string;
  readonly calendarId: string;
  readonly title: string;
  readonly status: string;
  readonly appointmentStatus: string;
  readonly assignedUserId: string;
  readonly notes: string;
  readonly address: string;
  /** "YYYY-MM-DD HH:mm:ss" like the live API. */
  readonly startTime: string;
  readonly endTime: string;
  readonly dateAdded: string;
  readonly dateUpdated: string;
  readonly users: readonly string[];
}

export interface CustomFieldDefinition {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly dataType: 'TEXT' | 'NUMERICAL' | 'SINGLE_OPTIONS';
}

/** The location's "Allow Duplicate Contact" setting. */
export interface DuplicateSetting {
  /** true: creates never fail on a duplicate email/phone. */
  readonly allowDuplicates: boolean;
  /** Order in which upsert and the duplicate search match. */
  readonly priority: readonly ('email' | 'phone')[];
}
