import type { JsonRecord, JsonSchema } from '@ferry/core';
import { specSchema } from '../spec/json-schemas.js';

/** A contact's task (TaskSchema). */
export type GhlTask = JsonRecord & {
  readonly id: string;
  readonly contactId?: string;
  readonly title?: string;
  readonly body?: string;
  readonly assignedTo?: string;
  readonly dueDate?: string;
  readonly completed?: boolean;
};

/** A contact's note (GetNoteSchema). */
export type GhlNote = JsonRecord & {
  readonly id: string;
  readonly contactId?: string;
  readonly body?: string;
  readonly userId?: string;
  readonly dateAdded?: string;
};

/** A contact's appointment (GetEventSchema); times are "YYYY-MM-DD HH:mm:ss" like the API's. */
export type GhlAppointment = JsonRecord & {
  readonly id: string;
  readonly contactId?: string;
  readonly calendarId?: string;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly appointmentStatus?: string;
};

const ID = { type: 'string', minLength: 1 };
const DELETED = { type: 'boolean', description: 'true on records from *Delete webhooks' };

export const TASK_RECORD_SCHEMA: JsonSchema = specSchema('TaskSchema', {
  description: "A contact's task",
  required: ['id'],
  extend: { id: ID, dateAdded: { type: 'string' }, deleted: DELETED },
});

export const NOTE_RECORD_SCHEMA: JsonSchema = specSchema('GetNoteSchema', {
  description: "A contact's note",
  required: ['id'],
  extend: { id: ID, deleted: DELETED },
});

export const APPOINTMENT_RECORD_SCHEMA: JsonSchema = specSchema('GetEventSchema', {
  description: "A contact's appointment",
  required: ['id'],
  extend: { id: ID, deleted: DELETED },
});

/** One tag of one contact, keyed `contactId:tag` (tags are lower-case on GHL). */
export const TAG_RECORD_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'One tag of a contact',
  required: ['id', 'contactId', 'tag'],
  properties: { id: ID, contactId: { type: 'string' }, tag: { type: 'string' } },
  additionalProperties: false,
};

/** Drops nulls: absent and null mean the same to every consumer downstream. */
export function withoutNulls<T extends JsonRecord>(raw: JsonRecord): T {
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(raw)) if (value !== null && value !== undefined) out[key] = value;
  return out as T;
}
