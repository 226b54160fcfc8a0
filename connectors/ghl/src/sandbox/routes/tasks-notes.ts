import { noteView, taskView } from '../contact-views.js';
import type { Call, Endpoint } from '../endpoint.js';
import type { StoredNote, StoredTask } from '../model.js';
import { fail, ok } from '../replies.js';
import { bodyOf, isoDateTime, pathContact } from './lookups.js';

const DUE_DATE_MESSAGE = 'dueDate must be a valid ISO 8601 date string';

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function pathTask(call: Call): { tasks: Map<string, StoredTask>; task: StoredTask } {
  const { location, contact } = pathContact(call);
  const tasks = location.tasksOf(contact.id);
  const task = tasks.get(call.params['taskId'] ?? '');
  if (task === undefined) fail(400, 'Task not found');
  return { tasks, task };
}

function pathNote(call: Call): { notes: Map<string, StoredNote>; note: StoredNote } {
  const { location, contact } = pathContact(call);
  const notes = location.notesOf(contact.id);
  const note = notes.get(call.params['id'] ?? '');
  if (note === undefined) fail(400, 'Note not found');
  return { notes, note };
}

function byDateAdded<T extends { readonly dateAdded: string; readonly id: string }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => (a.dateAdded < b.dateAdded ? -1 : a.dateAdded > b.dateAdded ? 1 : a.id < b.id ? -1 : 1));
}

export const taskEndpoints: readonly Endpoint[] = [
  {
    operationId: 'get-all-tasks',
    handle(call) {
      const { location, contact } = pathContact(call);
      return ok({ tasks: byDateAdded(location.tasksOf(contact.id).values()).map(taskView) });
    },
  },
  {
    operationId: 'create-task',
    handle(call) {
      const { location, contact } = pathContact(call);
      const input = bodyOf(call);
      const dueDate = isoDateTime(input['dueDate']);
      if (dueDate === undefined) fail(422, [DUE_DATE_MESSAGE]);
      const task: StoredTask = {
        id: call.world.newId(),
        contactId: contact.id,
        title: String(input['title']),
        body: optionalText(input['body']),
        assignedTo: optionalText(input['assignedTo']),
        dueDate,
        completed: input['completed'] === true,
        dateAdded: new Date(call.now).toISOString(),
      };
      location.tasksOf(contact.id).set(task.id, task);
      return ok({ task: taskView(task) }, 201);
    },
  },
  {
    operationId: 'get-task',
    handle(call) {
      return ok({ task: taskView(pathTask(call).task) });
    },
  },
  {
    operationId: 'update-task',
    handle(call) {
      const { task } = pathTask(call);
      const input = bodyOf(call);
      if ('dueDate' in input) {
        const dueDate = isoDateTime(input['dueDate']);
        if (dueDate === undefined) fail(422, [DUE_DATE_MESSAGE]);
        task.dueDate = dueDate;
      }
      if (typeof input['title'] === 'string') task.title = input['title'];
      if ('body' in input) task.body = optionalText(input['body']);
      if ('assignedTo' in input) task.assignedTo = optionalText(input['assignedTo']);
      if (typeof input['completed'] === 'boolean') task.completed = input['completed'];
      return ok({ task: taskView(task) });
    },
  },
  {
    operationId: 'update-task-completed',
    handle(call) {
      const { task } = pathTask(call);
      task.completed = bodyOf(call)['completed'] === true;
      return ok({ task: taskView(task) });
    },
  },
  {
    operationId: 'delete-task',
    handle(call) {
      const { tasks, task } = pathTask(call);
      tasks.delete(task.id);
      return ok({ succeded: true });
    },
  },
];

export const noteEndpoints: readonly Endpoint[] = [
  {
    operationId: 'get-all-notes',
    handle(call) {
      const { location, contact } = pathContact(call);
      return ok({ notes: byDateAdded(location.notesOf(contact.id).values()).map(noteView) });
    },
  },
  {
    operationId: 'create-note',
    handle(call) {
      const { location, contact } = pathContact(call);
      const input = bodyOf(call);
      const body = optionalText(input['body']);
      if (body === undefined) fail(422, ['body should not be empty']);
      const note: StoredNote = {
        id: call.world.newId(),
        contactId: contact.id,
        body,
        userId: optionalText(input['userId']),
        title: optionalText(input['title']),
        color: optionalText(input['color']),
        pinned: input['pinned'] === true,
        dateAdded: new Date(call.now).toISOString(),
      };
      location.notesOf(contact.id).set(note.id, note);
      return ok({ note: noteView(note) }, 201);
    },
  },
  {
    operationId: 'get-note',
    handle(call) {
      return ok({ note: noteView(pathNote(call).note) });
    },
  },
  {
    operationId: 'update-note',
    handle(call) {
      const { note } = pathNote(call);
      const input = bodyOf(call);
      if ('body' in input) {
        const body = optionalText(input['body']);
        if (body === undefined) fail(422, ['body should not be empty']);
        note.body = body;
      }
      if ('userId' in input) note.userId = optionalText(input['userId']);
      if ('title' in input) note.title = optionalText(input['title']);
      if ('color' in input) note.color = optionalText(input['color']);
      if (typeof input['pinned'] === 'boolean') note.pinned = input['pinned'];
      return ok({ note: noteView(note) });
    },
  },
  {
    operationId: 'delete-note',
    handle(call) {
      const { notes, note } = pathNote(call);
      notes.delete(note.id);
      return ok({ succeded: true });
    },
  },
];
