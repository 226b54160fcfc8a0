import type { JsonRecord, JsonSchema } from '@ferry/core';
import { booleanOrNull, integerId, integerOrNull, isRecord, stringOrNull, unexpectedResponse } from './values.js';

export interface ConversationRecord extends JsonRecord {
  id: number;
  contact_id: number | null;
  team_id: number | null;
  is_open: boolean | null;
  unread_count: number | null;
  last_message_at: string | null;
  created_at: string | null;
  updated_at: string | null;
}

/** A conversation (its exact shape is not documented: these are the fields the connector relies on). */
export const conversationSchema: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'integer' },
    contact_id: { type: ['integer', 'null'] },
    team_id: { type: ['integer', 'null'] },
    is_open: { type: ['boolean', 'null'] },
    unread_count: { type: ['integer', 'null'] },
    last_message_at: { type: ['string', 'null'] },
    created_at: { type: ['string', 'null'] },
    updated_at: { type: ['string', 'null'] },
  },
};

export function toConversationRecord(raw: unknown): ConversationRecord {
  if (!isRecord(raw)) throw unexpectedResponse('conversation', 'expected an object');
  const id = integerId(raw['id']);
  if (id === undefined) throw unexpectedResponse('conversation', 'it has no integer id');
  const contact = isRecord(raw['contact']) ? raw['contact'] : undefined;
  return {
    ...raw,
    id,
    contact_id: integerOrNull(raw['contact_id'] ?? contact?.['id']),
    team_id: integerOrNull(raw['team_id']),
    is_open: booleanOrNull(raw['is_open']),
    unread_count: integerOrNull(raw['unread_count']),
    last_message_at: stringOrNull(raw['last_message_at']),
    created_at: stringOrNull(raw['created_at']),
    updated_at: stringOrNull(raw['updated_at']),
  };
}
