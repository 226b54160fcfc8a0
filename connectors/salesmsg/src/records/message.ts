import type { JsonRecord, JsonSchema } from '@ferry/core';
import { integerId, integerOrNull, isRecord, stringOrNull, unexpectedResponse } from './values.js';

export interface MessageRecord extends JsonRecord {
  id: number;
  conversation_id: number | null;
  contact_id: number | null;
  body: string | null;
  direction: string | null;
  status: string | null;
  created_at: string | null;
  updated_at: string | null;
}

/** A message of a conversation (shape not documented: the fields the connector relies on). */
export const messageSchema: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'integer' },
    conversation_id: { type: ['integer', 'null'] },
    contact_id: { type: ['integer', 'null'] },
    body: { type: ['string', 'null'] },
    direction: { type: ['string', 'null'] },
    status: { type: ['string', 'null'] },
    created_at: { type: ['string', 'null'] },
    updated_at: { type: ['string', 'null'] },
  },
};

export function toMessageRecord(raw: unknown): MessageRecord {
  if (!isRecord(raw)) throw unexpectedResponse('message', 'expected an object');
  const id = integerId(raw['id']);
  if (id === undefined) throw unexpectedResponse('message', 'it has no integer id');
  return {
    ...raw,
    id,
    conversation_id: integerOrNull(raw['conversation_id']),
    contact_id: integerOrNull(raw['contact_id']),
    body: stringOrNull(raw['body'] ?? raw['message']),
    direction: stringOrNull(raw['direction']),
    status: stringOrNull(raw['status']),
    created_at: stringOrNull(raw['created_at']),
    updated_at: stringOrNull(raw['updated_at'] ?? raw['created_at']),
  };
}
