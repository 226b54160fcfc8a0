import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { JsonRecord } from '@ferry/core';
import type { StoredContact, StoredConversation, StoredMessage, StoredTag, StoredTeam } from './model.js';

/** Laravel's JSON date format: `2024-03-05T14:07:11.000000Z`. */
export function apiTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '.000000Z');
}

function apiTimeOrNull(ms: number | null): string | null {
  return ms === null ? null : apiTime(ms);
}

/** `(512) 555-0123` for North American numbers, the national format elsewhere. */
export function formattedNumber(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatNational() ?? e164;
}

export function tagView(tag: StoredTag): JsonRecord {
  return { id: tag.id, name: tag.name, label: tag.label };
}

/** A contact as GET /contacts/{id} answers it. */
export function contactView(contact: StoredContact, tags: ReadonlyMap<number, StoredTag>): JsonRecord {
  const fullName = [contact.first_name, contact.last_name].filter((part) => part !== null && part !== '').join(' ');
  return {
    id: contact.id,
    first_name: contact.first_name,
    last_name: contact.last_name,
    full_name: fullName,
    email: contact.email,
    number: contact.number,
    formatted_number: formattedNumber(contact.number),
    country: contact.country,
    is_blocked: contact.is_blocked,
    opt_out: contact.opt_out,
    opt_out_at: apiTimeOrNull(contact.optOutMs),
    opt_in_at: apiTimeOrNull(contact.optInMs),
    created_at: apiTime(contact.createdMs),
    updated_at: apiTime(contact.updatedMs),
    owner_id: contact.owner_id,
    source: contact.source,
    phone_type: contact.phone_type,
    integration_vendor_id: contact.integration_vendor_id,
    contact_integration_id: contact.contact_integration_id,
    integration: [],
    prevent_autolink: false,
    tags: contact.tagIds.flatMap((id) => {
      const tag = tags.get(id);
      return tag === undefined ? [] : [tagView(tag)];
    }),
    notes: contact.notes.map((note) => ({ id: note.id, text: note.text, created_at: apiTime(note.createdMs), updated_at: apiTime(note.updatedMs) })),
    custom_fields: contact.custom_fields.map((field) => ({ ...field })),
  };
}

/** The short form `useShortResponse: true` asks for. */
export function shortContactView(contact: StoredContact): JsonRecord {
  return {
    id: contact.id,
    first_name: contact.first_name,
    last_name: contact.last_name,
    email: contact.email,
    number: contact.number,
    opt_out: contact.opt_out,
    updated_at: apiTime(contact.updatedMs),
  };
}

export function conversationView(conversation: StoredConversation, contact: StoredContact | undefined): JsonRecord {
  return {
    id: conversation.id,
    contact_id: conversation.contactId,
    team_id: conversation.teamId,
    is_open: conversation.isOpen,
    unread_count: conversation.unreadCount,
    last_message_at: apiTime(conversation.lastMessageMs),
    created_at: apiTime(conversation.createdMs),
    updated_at: apiTime(conversation.updatedMs),
    contact:
      contact === undefined
        ? null
        : { id: contact.id, first_name: contact.first_name, last_name: contact.last_name, number: contact.number, email: contact.email },
  };
}

export function messageView(message: StoredMessage): JsonRecord {
  return {
    id: message.id,
    conversation_id: message.conversationId,
    contact_id: message.contactId,
    body: message.body,
    direction: message.direction,
    status: message.status,
    type: 'sms',
    user_id: message.userId,
    media: [],
    created_at: apiTime(message.createdMs),
    updated_at: apiTime(message.createdMs),
  };
}

export function teamView(team: StoredTeam): JsonRecord {
  return { id: team.id, name: team.name, number: team.number, formatted_number: formattedNumber(team.number) };
}
