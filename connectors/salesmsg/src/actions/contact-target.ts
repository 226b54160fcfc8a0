import { FerryError, type ActionRequest, type JsonRecord } from '@ferry/core';
import { integerId } from '../records/values.js';

/**
 * The contact an action is about: the input's `id`, else the contact this source record was linked to, else the
 * record the previous step wrote (a `then:` step after a create).
 */
export function targetContactId(request: ActionRequest<JsonRecord>): number {
  const candidates: unknown[] = [request.input['id'], request.linkedId, request.previous?.id];
  for (const candidate of candidates) {
    if (candidate === undefined || candidate === null || candidate === '') continue;
    const id = integerId(candidate);
    if (id === undefined) {
      throw new FerryError('SALESMSG_BAD_ID', `${JSON.stringify(candidate)} is not a Salesmsg contact id`, {
        hint: 'Salesmsg contact ids are positive integers: map `id` from the contact (or let the link table provide it)',
      });
    }
    return id;
  }
  throw new FerryError('SALESMSG_NO_CONTACT_ID', 'the action does not know which Salesmsg contact to change', {
    hint: 'map `id` to the Salesmsg contact id, or run the action as a `then:` step after a step that writes the contact',
  });
}

/** The input schema's `id` property (integer, or the digit string the link table keeps). */
export const contactIdProperty = {
  anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[0-9]+$' }],
  description: 'Salesmsg contact id (default: the linked contact, or the one the previous step wrote)',
} as const;
