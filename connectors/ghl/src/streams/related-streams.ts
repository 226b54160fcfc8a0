import { defineStream } from '@ferry/core';
import { clientOf } from '../config.js';
import {
  APPOINTMENT_RECORD_SCHEMA,
  NOTE_RECORD_SCHEMA,
  TASK_RECORD_SCHEMA,
  type GhlAppointment,
  type GhlNote,
  type GhlTask,
} from '../records/related-records.js';
import { operationById, READ_SCOPE } from '../spec/operations.js';
import { idParams, onePage, requiredParam } from './stream-params.js';

const PARENT = { stream: 'contacts', param: 'contactId', from: 'id' } as const;

function httpOf(operationId: string): { method: string; path: string } {
  const op = operationById(operationId);
  return { method: op.method, path: op.path };
}

/** A contact's tasks (GET /contacts/{contactId}/tasks; the API does not page them). */
export const contactTasksStream = defineStream<GhlTask>({
  name: 'contact.tasks',
  description: "A contact's tasks (GET /contacts/{contactId}/tasks)",
  schema: TASK_RECORD_SCHEMA,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: READ_SCOPE,
  http: httpOf('get-all-tasks'),
  params: idParams(['contactId']),
  parent: PARENT,
  read(ctx, request) {
    const contactId = requiredParam(request.params, 'contactId', 'contact.tasks');
    return onePage(request.state, () => clientOf(ctx).listTasks(contactId));
  },
});

/** One task by id (GET /contacts/{contactId}/tasks/{taskId}). */
export const contactTaskStream = defineStream<GhlTask>({
  name: 'contact.task',
  description: 'One task of a contact by id (GET /contacts/{contactId}/tasks/{taskId})',
  schema: TASK_RECORD_SCHEMA,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: READ_SCOPE,
  http: httpOf('get-task'),
  params: idParams(['contactId', 'taskId']),
  read(ctx, request) {
    const contactId = requiredParam(request.params, 'contactId', 'contact.task');
    const taskId = requiredParam(request.params, 'taskId', 'contact.task');
    return onePage(request.state, async () => {
      const task = await clientOf(ctx).getTask(contactId, taskId);
      return task === undefined ? [] : [task];
    });
  },
});

/** A contact's notes (GET /contacts/{contactId}/notes; not paged). */
export const contactNotesStream = defineStream<GhlNote>({
  name: 'contact.notes',
  description: "A contact's notes (GET /contacts/{contactId}/notes)",
  schema: NOTE_RECORD_SCHEMA,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: READ_SCOPE,
  http: httpOf('get-all-notes'),
  params: idParams(['contactId']),
  parent: PARENT,
  read(ctx, request) {
    const contactId = requiredParam(request.params, 'contactId', 'contact.notes');
    return onePage(request.state, () => clientOf(ctx).listNotes(contactId));
  },
});

/** One note by id (GET /contacts/{contactId}/notes/{id}). */
export const contactNoteStream = defineStream<GhlNote>({
  name: 'contact.note',
  description: 'One note of a contact by id (GET /contacts/{contactId}/notes/{id})',
  schema: NOTE_RECORD_SCHEMA,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: READ_SCOPE,
  http: httpOf('get-note'),
  params: idParams(['contactId', 'noteId']),
  read(ctx, request) {
    const contactId = requiredParam(request.params, 'contactId', 'contact.note');
    const noteId = requiredParam(request.params, 'noteId', 'contact.note');
    return onePage(request.state, async () => {
      const note = await clientOf(ctx).getNote(contactId, noteId);
      return note === undefined ? [] : [note];
    });
  },
});

/** A contact's appointments (GET /contacts/{contactId}/appointments). */
export const contactAppointmentsStream = defineStream<GhlAppointment>({
  name: 'contact.appointments',
  description: "A contact's appointments (GET /contacts/{contactId}/appointments); times are 'YYYY-MM-DD HH:mm:ss'",
  schema: APPOINTMENT_RECORD_SCHEMA,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: READ_SCOPE,
  http: httpOf('get-appointments-for-contact'),
  params: idParams(['contactId']),
  parent: PARENT,
  read(ctx, request) {
    const contactId = requiredParam(request.params, 'contactId', 'contact.appointments');
    return onePage(request.state, () => clientOf(ctx).listAppointments(contactId));
  },
});
