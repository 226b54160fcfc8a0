import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionRequest, ActionResult, ConnectorContext, JsonRecord } from '@ferry/core';
import { ghl } from './connector.js';
import { API_VERSION } from './config.js';
import { contactOperations, operationById } from './spec/operations.js';
import { requestValidator, validationMessages } from './spec/validation.js';
import { startSandbox, type SandboxHarness } from './testing/sandbox-harness.js';

/**
 * Every request the connector sends — from its streams and its actions — must be one the vendor's spec allows:
 * the Version header, a bearer token, a body valid against the operation's request schema (unknown fields
 * rejected, as the live API does) and only the query parameters the operation declares.
 */

let harness: SandboxHarness;
let ctx: ConnectorContext;

const source = { connector: 'test', stream: 'people', schema: { type: 'object' }, primaryKey: 'id' } as const;

async function act(name: string, input: JsonRecord, extra: Partial<ActionRequest> = {}): Promise<ActionResult> {
  const action = ghl.actions.find((a) => a.name === name);
  if (action === undefined) throw new Error(`no action ${name}`);
  return action.run(ctx, { input, options: {}, linkedId: undefined, source, ...extra });
}

async function read(name: string, params: JsonRecord = {}, mode: 'full' | 'incremental' = 'full'): Promise<JsonRecord[]> {
  const stream = ghl.streams.find((s) => s.name === name);
  if (stream === undefined) throw new Error(`no stream ${name}`);
  const records: JsonRecord[] = [];
  for await (const page of stream.read(ctx, { mode, state: undefined, params })) records.push(...page.records);
  return records;
}

beforeAll(async () => {
  harness = await startSandbox({ size: 40, seed: 5, extra: { recordRequests: true } });
  ctx = harness.context();

  const created = await act('contacts.create', { firstName: 'Req', email: 'req@example.com', phone: '+14155550177', tags: ['one'], dateOfBirth: '1990-01-02', customFields: [{ id: 'cf1', field_value: 7 }] });
  const contactId = created.id ?? '';
  await act('contacts.update', { id: contactId, lastName: 'Checked', tags: ['two'] }, { options: { replaceTags: false } });
  await act('contacts.upsert', { email: 'req@example.com', companyName: 'Req Co', tags: ['three'] }, { match: ['email'] });
  await act('contacts.upsert', { email: 'brand.new@example.com', firstName: 'New' });
  await act('contacts.tags.add', { contactId, tags: ['four'] });
  await act('contacts.tags.remove', { contactId, tags: ['four'] });
  await act('contacts.followers.add', { contactId, followers: ['u1'] });
  await act('contacts.followers.remove', { contactId, followers: ['u1'] });
  await act('contacts.campaigns.add', { contactId, campaignId: 'camp1' });
  await act('contacts.campaigns.remove', { contactId, campaignId: 'camp1' });
  await act('contacts.campaigns.removeAll', { contactId });
  await act('contacts.workflows.add', { contactId, workflowId: 'wf1', eventStartTime: '2030-05-01T10:00:00.000Z' });
  await act('contacts.workflows.remove', { contactId, workflowId: 'wf1' });
  await act('contacts.bulk.tags', { contacts: [contactId], tags: ['bulk'] }, { options: { type: 'add' } });
  await act('contacts.bulk.business', { ids: [contactId], businessId: 'bizReq00000000000001' });
  const task = await act('tasks.create', { contactId, title: 'Follow up', dueDate: '2030-03-01T12:00:00.123Z' });
  await act('tasks.update', { contactId, id: task.id ?? '', body: 'Bring the quote' });
  await act('tasks.complete', { contactId, id: task.id ?? '' });
  const note = await act('notes.create', { contactId, body: 'Met at the expo' });
  await act('notes.update', { contactId, id: note.id ?? '', body: 'Met at the spring expo' });

  await read('contacts');
  await read('contacts', {}, 'incremental');
  await read('contacts.legacy');
  await read('contact', { contactId });
  await read('contact.tags', { contactId });
  await read('business.contacts', { businessId: 'bizReq00000000000001' });
  await read('contacts.duplicate', { phone: '+14155550177' });
  await read('contact.tasks', { contactId });
  await read('contact.task', { contactId, taskId: task.id ?? '' });
  await read('contact.notes', { contactId });
  await read('contact.note', { contactId, noteId: note.id ?? '' });
  await read('contact.appointments', { contactId });

  await act('notes.delete', { contactId, id: note.id ?? '' });
  await act('tasks.delete', { contactId, id: task.id ?? '' });
  await act('contacts.delete', { id: contactId });
});

afterAll(() => harness.close());

describe('requests the connector sends', () => {
  it('cover all 32 operations of the spec', () => {
    const sent = new Set(harness.sandbox.requests().map((r) => r.operationId));
    expect(contactOperations().filter((op) => !sent.has(op.operationId)).map((op) => op.operationId)).toEqual([]);
  });

  it('are valid against the request schemas of the spec', () => {
    const problems: string[] = [];
    for (const request of harness.sandbox.requests()) {
      const op = operationById(request.operationId);
      const where = `${request.method} ${request.path}`;
      if (request.version !== API_VERSION) problems.push(`${where}: Version header ${String(request.version)}`);
      if (!request.authorized) problems.push(`${where}: no bearer token`);
      if (request.status >= 400) problems.push(`${where}: answered ${request.status}`);
      if (op.requestBody !== undefined) {
        if (request.contentType?.startsWith('application/json') !== true) problems.push(`${where}: content-type ${String(request.contentType)}`);
        const validate = requestValidator(op.requestBody);
        if (!validate(request.body)) problems.push(`${where}: ${validationMessages(validate.errors).join('; ')}`);
      }
      const declared = new Map(op.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
      for (const name of Object.keys(request.query)) if (!declared.has(name)) problems.push(`${where}: undeclared query parameter ${name}`);
      for (const [name, param] of declared) {
        const value = request.query[name];
        if (param.required && (value === undefined || value === '')) problems.push(`${where}: required query parameter ${name} missing`);
        if (value !== undefined && param.schema['type'] === 'number' && Number.isNaN(Number(value))) problems.push(`${where}: ${name}=${value} is not a number`);
      }
    }
    expect(problems).toEqual([]);
  });
});
