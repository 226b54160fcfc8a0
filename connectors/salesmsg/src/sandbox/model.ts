/** What the sandbox stores. Times are epoch milliseconds rounded to whole seconds, as the API's database keeps them. */

export interface StoredTag {
  readonly id: number;
  readonly name: string;
  readonly label: string;
  readonly createdMs: number;
}

export interface StoredNote {
  readonly id: number;
  readonly text: string;
  readonly createdMs: number;
  readonly updatedMs: number;
}

export interface StoredCustomField {
  readonly field_key: string;
  readonly text: string | null;
  readonly number: number | null;
  readonly date: string | null;
}

export interface StoredContact {
  readonly id: number;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  /** E.164. */
  number: string;
  country: string;
  is_blocked: boolean;
  opt_out: boolean;
  optOutMs: number | null;
  optInMs: number | null;
  readonly createdMs: number;
  updatedMs: number;
  owner_id: number | null;
  source: string | null;
  phone_type: string | null;
  integration_vendor_id: string | null;
  contact_integration_id: string | null;
  /** Tag ids, in the order they were added. */
  tagIds: number[];
  notes: StoredNote[];
  custom_fields: StoredCustomField[];
}

export interface StoredConversation {
  readonly id: number;
  readonly contactId: number;
  readonly teamId: number;
  isOpen: boolean;
  unreadCount: number;
  lastMessageMs: number;
  readonly createdMs: number;
  updatedMs: number;
}

export interface StoredMessage {
  readonly id: number;
  readonly conversationId: number;
  readonly contactId: number;
  readonly body: string;
  readonly direction: 'inbound' | 'outbound';
  readonly status: 'received' | 'delivered' | 'sent' | 'failed';
  readonly userId: number | null;
  readonly createdMs: number;
}

export interface StoredTeam {
  readonly id: number;
  readonly name: string;
  /** The inbox's own number (E.164). */
  readonly number: string;
}
