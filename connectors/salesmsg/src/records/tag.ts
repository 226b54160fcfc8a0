import type { JsonRecord, JsonSchema } from '@ferry/core';
import { integerId, isRecord, stringOrNull } from './values.js';

/** A tag: numeric id, and a label people see (contacts are tagged by id, pipelines name tags by label). */
export interface TagRecord extends JsonRecord {
  id: number;
  name: string | null;
  label: string | null;
}

export const tagSchema: JsonSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer' }, name: { type: ['string', 'null'] }, label: { type: ['string', 'null'] } },
};

/** A tag, or undefined when the value has no integer id (a contact's tag list skips such entries). */
export function toTagRecord(raw: unknown): TagRecord | undefined {
  if (!isRecord(raw)) return undefined;
  const id = integerId(raw['id']);
  if (id === undefined) return undefined;
  return { ...raw, id, name: stringOrNull(raw['name']), label: stringOrNull(raw['label'] ?? raw['name']) };
}
