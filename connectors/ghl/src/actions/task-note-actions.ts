import { defineAction, FerryError, type ActionDef, type ActionRequest, type JsonSchema } from '@ferry/core';
import type { GhlClient } from '../client/ghl-client.js';
import type { NoteInput, TaskInput } from '../client/client-types.js';
import { clientOf } from '../config.js';
import type { GhlNote, GhlTask } from '../records/related-records.js';
import { specSchema } from '../spec/json-schemas.js';
import { WRITE_SCOPE } from '../spec/operations.js';
import { apiDateTime, CONTACT_ID, contactIdOf, fieldsOf, targetIdOf } from './action-inputs.js';
import { httpOf } from './operation-http.js';

const TASK_ID: JsonSchema = { type: 'string', minLength: 1, description: 'The task (default: the task linked to this record)' };
const NOTE_ID: JsonSchema = { type: 'string', minLength: 1, description: 'The note (default: the note linked to this record)' };

const CREATE_TASK_INPUT = specSchema('CreateTaskParams', {
  closed: true,
  required: ['title', 'dueDate'],
  extend: { contactId: CONTACT_ID, dueDate: { type: 'string', minLength: 1, description: 'ISO 8601 date-time' } },
});
const UPDATE_TASK_INPUT = specSchema('UpdateTaskBody', { closed: true, extend: { contactId: CONTACT_ID, id: TASK_ID } });
const CREATE_NOTE_INPUT = specSchema('NotesDTO', { closed: true, extend: { contactId: CONTACT_ID } });
const UPDATE_NOTE_INPUT = specSchema('UpdateNoteDTO', { closed: true, extend: { contactId: CONTACT_ID, id: NOTE_ID } });

function sameInstant(a: string | undefined, b: string): boolean {
  return a !== undefined && Date.parse(a) === Date.parse(b);
}

function taskBody(request: ActionRequest): Partial<TaskInput> {
  const body = fieldsOf(request.input, ['contactId', 'id']) as Partial<TaskInput>;
  return body.dueDate === undefined ? body : { ...body, dueDate: apiDateTime(body.dueDate, 'dueDate') };
}

function taskResult(outcome: 'created' | 'updated' | 'unchanged', task: GhlTask): { outcome: typeof outcome; id: string; record: GhlTask } {
  return { outcome, id: task.id, record: task };
}

/**
 * POST /contacts/{contactId}/tasks. Not idempotent on the API, so the action looks first: a linked task is
 * updated, and a task with the same title and due date on that contact is left as it is.
 */
export const createTaskAction = defineAction({
  name: 'tasks.create',
  description: "Create a task on a contact (POST /contacts/{contactId}/tasks); looks for the same task first",
  input: CREATE_TASK_INPUT,
  scope: WRITE_SCOPE,
  idempotence: 'search-before-create',
  http: httpOf('create-task'),
  async run(ctx, request) {
    const client = clientOf(ctx);
    const contactId = contactIdOf(request, { useLink: false });
    const body = taskBody(request) as TaskInput;
    if (request.linkedId !== undefined && request.linkedId !== '') {
      const updated = await client.updateTask(contactId, request.linkedId, body);
      if (updated !== undefined) return taskResult('updated', updated);
    }
    const existing = (await client.listTasks(contactId)).find((t) => t.title === body.title && sameInstant(t.dueDate, body.dueDate));
    if (existing !== undefined) return taskResult('unchanged', existing);
    return taskResult('created', await client.createTask(contactId, body));
  },
  async find(ctx, request) {
    const contactId = contactIdOf(request, { useLink: false });
    const body = taskBody(request);
    const tasks = await clientOf(ctx).listTasks(contactId);
    return tasks.find((t) => t.id === request.linkedId) ?? tasks.find((t) => t.title === body.title && body.dueDate !== undefined && sameInstant(t.dueDate, body.dueDate));
  },
});

/** PUT /contacts/{contactId}/tasks/{taskId}; title and dueDate are re-sent from the task when not mapped. */
export const updateTaskAction = defineAction({
  name: 'tasks.update',
  description: 'Update a task (PUT /contacts/{contactId}/tasks/{taskId})',
  input: UPDATE_TASK_INPUT,
  scope: WRITE_SCOPE,
  idempotence: 'idempotent',
  http: httpOf('update-task'),
  async run(ctx, request) {
    const client = clientOf(ctx);
    const contactId = contactIdOf(request, { useLink: false });
    const taskId = targetIdOf(request, 'id', 'task');
    let body = taskBody(request);
    if (body.title === undefined || body.dueDate === undefined) {
      // The API is only reliable when an update carries title and dueDate again.
      const current = await client.getTask(contactId, taskId);
      if (current === undefined) throw taskGone(taskId);
      body = { title: current.title ?? '', dueDate: apiDateTime(current.dueDate, 'dueDate'), ...body };
    }
    const updated = await client.updateTask(contactId, taskId, body);
    if (updated === undefined) throw taskGone(taskId);
    return taskResult('updated', updated);
  },
});

/** A task or note that an update could not find: deleted in GHL, or on another contact. */
function relatedGone(code: 'GHL_TASK_NOT_FOUND' | 'GHL_NOTE_NOT_FOUND', what: 'task' | 'note', id: string): FerryError {
  return new FerryError(code, `${what} ${id} does not exist in GHL (any more)`, {
    hint: 'it was deleted in GHL, or belongs to another contact: check contactId',
    details: { [`${what}Id`]: id },
  });
}

function taskGone(taskId: string): FerryError {
  return relatedGone('GHL_TASK_NOT_FOUND', 'task', taskId);
}

/** DELETE of a contact's task or note; one that is already gone is unchanged, not an error. */
function deleteRelatedAction(spec: {
  name: string;
  description: string;
  operationId: string;
  what: 'task' | 'note';
  idSchema: JsonSchema;
  remove: (client: GhlClient, contactId: string, id: string) => Promise<boolean>;
}): ActionDef {
  return defineAction({
    name: spec.name,
    description: spec.description,
    input: { type: 'object', additionalProperties: false, properties: { contactId: CONTACT_ID, id: spec.idSchema } },
    scope: WRITE_SCOPE,
    idempotence: 'idempotent',
    http: httpOf(spec.operationId),
    async run(ctx, request) {
      const contactId = contactIdOf(request, { useLink: false });
      const id = targetIdOf(request, 'id', spec.what);
      const deleted = await spec.remove(clientOf(ctx), contactId, id);
      return { outcome: deleted ? 'deleted' : 'unchanged', id };
    },
  });
}

export const completeTaskAction = defineAction({
  name: 'tasks.complete',
  description: 'Mark a task completed, or not (PUT /contacts/{contactId}/tasks/{taskId}/completed)',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: { contactId: CONTACT_ID, id: TASK_ID, completed: { type: 'boolean', default: true } },
  },
  scope: WRITE_SCOPE,
  idempotence: 'idempotent',
  http: httpOf('update-task-completed'),
  async run(ctx, request) {
    const contactId = contactIdOf(request, { useLink: false });
    const taskId = targetIdOf(request, 'id', 'task');
    const task = await clientOf(ctx).completeTask(contactId, taskId, request.input['completed'] !== false);
    if (task === undefined) throw taskGone(taskId);
    return taskResult('updated', task);
  },
});

export const deleteTaskAction = deleteRelatedAction({
  name: 'tasks.delete',
  description: 'Delete a task (DELETE /contacts/{contactId}/tasks/{taskId})',
  operationId: 'delete-task',
  what: 'task',
  idSchema: TASK_ID,
  remove: (client, contactId, taskId) => client.deleteTask(contactId, taskId),
});

function noteResult(outcome: 'created' | 'updated' | 'unchanged', note: GhlNote): { outcome: typeof outcome; id: string; record: GhlNote } {
  return { outcome, id: note.id, record: note };
}

/** POST /contacts/{contactId}/notes; a linked note is updated, and the same text on that contact is not added twice. */
export const createNoteAction = defineAction({
  name: 'notes.create',
  description: 'Add a note to a contact (POST /contacts/{contactId}/notes); looks for the same note first',
  input: CREATE_NOTE_INPUT,
  scope: WRITE_SCOPE,
  idempotence: 'search-before-create',
  http: httpOf('create-note'),
  async run(ctx, request) {
    const client = clientOf(ctx);
    const contactId = contactIdOf(request, { useLink: false });
    const body = fieldsOf(request.input, ['contactId']) as unknown as NoteInput;
    if (request.linkedId !== undefined && request.linkedId !== '') {
      const updated = await client.updateNote(contactId, request.linkedId, body);
      if (updated !== undefined) return noteResult('updated', updated);
    }
    const existing = (await client.listNotes(contactId)).find((n) => n.body === body.body);
    if (existing !== undefined) return noteResult('unchanged', existing);
    return noteResult('created', await client.createNote(contactId, body));
  },
  async find(ctx, request) {
    const contactId = contactIdOf(request, { useLink: false });
    const notes = await clientOf(ctx).listNotes(contactId);
    return notes.find((n) => n.id === request.linkedId) ?? notes.find((n) => n.body === request.input['body']);
  },
});

export const updateNoteAction = defineAction({
  name: 'notes.update',
  description: 'Update a note (PUT /contacts/{contactId}/notes/{id})',
  input: UPDATE_NOTE_INPUT,
  scope: WRITE_SCOPE,
  idempotence: 'idempotent',
  http: httpOf('update-note'),
  async run(ctx, request) {
    const contactId = contactIdOf(request, { useLink: false });
    const noteId = targetIdOf(request, 'id', 'note');
    const updated = await clientOf(ctx).updateNote(contactId, noteId, fieldsOf(request.input, ['contactId', 'id']));
    if (updated === undefined) throw relatedGone('GHL_NOTE_NOT_FOUND', 'note', noteId);
    return noteResult('updated', updated);
  },
});

export const deleteNoteAction = deleteRelatedAction({
  name: 'notes.delete',
  description: 'Delete a note (DELETE /contacts/{contactId}/notes/{id})',
  operationId: 'delete-note',
  what: 'note',
  idSchema: NOTE_ID,
  remove: (client, contactId, noteId) => client.deleteNote(contactId, noteId),
});
