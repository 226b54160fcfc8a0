import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNDOCUMENTED_SUCCESS } from '../spec/errata.js';
import { contactOperations, expandPath, oauthOperations, operationById } from '../spec/operations.js';
import { responseValidator } from '../spec/validation.js';
import {
  API_VERSION,
  SANDBOX_APP_ID,
  SANDBOX_COMPANY_ID,
  SANDBOX_OAUTH_CLIENT,
  sandboxAgencyToken,
  sandboxTokens,
  serveGhlSandbox,
  type GhlSandboxInstance,
} from './index.js';

/**
 * Every answer of the sandbox — each operation's success and its errors — must validate against the vendor's
 * response schemas (the spec's own `$ref`s, resolved into common-schemas.json).
 */

interface Answer {
  readonly operationId: string;
  readonly status: number;
  readonly body: unknown;
}

let url = '';
let sandbox: GhlSandboxInstance;
let close: () => Promise<void>;
let locationId = '';
let token = '';
let readOnlyToken = '';
const answers: Answer[] = [];

async function send(
  operationId: string,
  params: Record<string, string>,
  options: { body?: unknown; query?: Record<string, string>; token?: string | null; version?: string | null } = {},
): Promise<Answer> {
  const op = operationById(operationId);
  const target = new URL(`${url}${expandPath(op.path, params)}`);
  for (const [k, v] of Object.entries(options.query ?? {})) target.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  const bearer = options.token === undefined ? token : options.token;
  if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`;
  const version = options.version === undefined ? API_VERSION : options.version;
  if (version !== null) headers['version'] = version;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(target, { method: op.method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
  const body: unknown = await response.json();
  const answer = { operationId, status: response.status, body };
  answers.push(answer);
  return answer;
}

async function newContact(extra: Record<string, unknown> = {}): Promise<string> {
  const created = await send('create-contact', {}, { body: { locationId, firstName: 'Spec', ...extra } });
  return String((created.body as { contact: { id: string } }).contact.id);
}

async function newTask(contactId: string): Promise<string> {
  const created = await send('create-task', { contactId }, { body: { title: 'T', dueDate: '2030-01-01T00:00:00Z', completed: false } });
  return String((created.body as { task: { id: string } }).task.id);
}

async function newNote(contactId: string): Promise<string> {
  const created = await send('create-note', { contactId }, { body: { body: 'N' } });
  return String((created.body as { note: { id: string } }).note.id);
}

beforeAll(async () => {
  const served = await serveGhlSandbox({ size: 20, seed: 3, timeScale: 0 });
  url = served.url;
  sandbox = served.sandbox;
  close = () => served.close();
  locationId = sandbox.locationIds()[0] ?? '';
  ({ full: token, readOnly: readOnlyToken } = sandboxTokens(locationId));

  // Successes of every operation.
  const a = await newContact({ email: 'spec.a@example.com', phone: '+14155550111', tags: ['x'] });
  const business = 'bizSpec00000000000001';
  await send('add-remove-contact-from-business', {}, { body: { locationId, ids: [a], businessId: business } });
  await send('get-contact', { contactId: a });
  await send('update-contact', { contactId: a }, { body: { lastName: 'Updated' } });
  await send('upsert-contact', {}, { body: { locationId, email: 'spec.a@example.com', city: 'Austin' } });
  await send('search-contacts-advanced', {}, { body: { locationId, pageLimit: 5, filters: [{ field: 'tags', operator: 'eq', value: 'x' }] } });
  await send('get-duplicate-contact', {}, { query: { locationId, email: 'spec.a@example.com' } });
  await send('get-duplicate-contact', {}, { query: { locationId, email: 'none@example.com' } });
  await send('get-contacts', {}, { query: { locationId, limit: '3' } });
  await send('get-contacts-by-businessId', { businessId: business }, { query: { locationId } });
  await send('add-tags', { contactId: a }, { body: { tags: ['y'] } });
  await send('remove-tags', { contactId: a }, { body: { tags: ['y'] } });
  await send('create-association', { type: 'add' }, { body: { locationId, contacts: [a], tags: ['z'] } });
  await send('add-followers-contact', { contactId: a }, { body: { followers: ['u1'] } });
  await send('remove-followers-contact', { contactId: a }, { body: { followers: ['u1'] } });
  await send('add-contact-to-campaign', { contactId: a, campaignId: 'c1' }, { body: {} });
  await send('remove-contact-from-campaign', { contactId: a, campaignId: 'c1' });
  await send('remove-contact-from-every-campaign', { contactId: a });
  await send('add-contact-to-workflow', { contactId: a, workflowId: 'w1' }, { body: { eventStartTime: '2030-01-01T00:00:00Z' } });
  await send('delete-contact-from-workflow', { contactId: a, workflowId: 'w1' }, { body: {} });
  const taskId = await newTask(a);
  await send('get-all-tasks', { contactId: a });
  await send('get-task', { contactId: a, taskId });
  await send('update-task', { contactId: a, taskId }, { body: { title: 'T2', dueDate: '2030-01-02T00:00:00Z' } });
  await send('update-task-completed', { contactId: a, taskId }, { body: { completed: true } });
  await send('delete-task', { contactId: a, taskId });
  const noteId = await newNote(a);
  await send('get-all-notes', { contactId: a });
  await send('get-note', { contactId: a, id: noteId });
  await send('update-note', { contactId: a, id: noteId }, { body: { body: 'N2' } });
  await send('delete-note', { contactId: a, id: noteId });
  await send('get-appointments-for-contact', { contactId: a });
  const b = await newContact();
  await send('delete-contact', { contactId: b });

  // Errors of every operation: no Version header (400), no token (401), a read-only token on writes (401 scope),
  // a contact of nowhere (400), invalid bodies and queries (422).
  const ids = { contactId: a, taskId, id: noteId, businessId: business, campaignId: 'c1', workflowId: 'w1', type: 'add' };
  for (const op of contactOperations()) {
    await send(op.operationId, ids, { version: null });
    await send(op.operationId, ids, { token: null });
    await send(op.operationId, ids, { token: 'not-a-token' });
    if (op.scope === 'contacts.write') await send(op.operationId, ids, { token: readOnlyToken, body: {} });
    if (op.path.includes('{contactId}')) await send(op.operationId, { ...ids, contactId: 'missingContact000001' }, op.requestBody === undefined ? {} : { body: {} });
    if (op.requestBody !== undefined) await send(op.operationId, ids, { body: { notAField: true } });
  }
  await send('get-contacts-by-businessId', { businessId: business }, { query: {} });
  await send('get-contacts', {}, { query: { locationId, limit: '500' } });
  await send('create-association', { type: 'toggle' }, { body: { locationId, contacts: [a], tags: ['z'] } });
  await send('search-contacts-advanced', {}, { body: { locationId, pageLimit: 100, page: 101 } });
  await send('search-contacts-advanced', {}, { body: { locationId: 'otherLocation0000001', pageLimit: 10 } });
});

afterAll(() => close());

function schemaRefFor(operationId: string, status: number): string | undefined {
  const op = operationById(operationId);
  const documented = op.responses[String(status)];
  if (documented !== undefined) return documented;
  if (status < 300) return UNDOCUMENTED_SUCCESS[operationId];
  // Statuses an operation does not list still come in the API's common shapes.
  if (status === 400) return '../common/common-schemas.json#/components/schemas/BadRequestDTO';
  if (status === 401) return '../common/common-schemas.json#/components/schemas/UnauthorizedDTO';
  if (status === 422) return '../common/common-schemas.json#/components/schemas/UnprocessableDTO';
  return undefined;
}

describe('sandbox responses against the vendor OpenAPI schemas', () => {
  it('answers every operation with a success and with errors', () => {
    for (const op of contactOperations()) {
      const statuses = new Set(answers.filter((a) => a.operationId === op.operationId).map((a) => a.status));
      const success = Object.keys(op.responses).find((s) => s.startsWith('2'));
      expect([op.operationId, statuses.has(Number(success))]).toEqual([op.operationId, true]);
      expect([op.operationId, statuses.has(400), statuses.has(401)]).toEqual([op.operationId, true, true]);
      if (op.requestBody !== undefined && op.responses['422'] !== undefined) expect([op.operationId, statuses.has(422)]).toEqual([op.operationId, true]);
    }
    expect(answers.some((a) => a.status === 403)).toBe(true);
  });

  it('validates every answer against its schema, with a traceId in every body', () => {
    const problems: string[] = [];
    for (const answer of answers) {
      const where = `${answer.operationId} → ${answer.status}`;
      if (typeof (answer.body as { traceId?: unknown }).traceId !== 'string') problems.push(`${where}: no traceId`);
      if (answer.status >= 400) {
        const body = answer.body as { statusCode?: unknown; message?: unknown };
        if (body.statusCode !== answer.status) problems.push(`${where}: statusCode ${String(body.statusCode)}`);
        if (answer.status === 422 && !Array.isArray(body.message)) problems.push(`${where}: 422 message is not a list`);
      }
      const ref = schemaRefFor(answer.operationId, answer.status);
      if (ref === undefined) {
        if (answer.status !== 403) problems.push(`${where}: no schema to check against`);
        continue;
      }
      const validate = responseValidator(ref);
      if (!validate(answer.body)) problems.push(`${where}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
    expect(problems).toEqual([]);
    expect(answers.length).toBeGreaterThan(150);
  });

  it('answers the OAuth endpoints in the shapes of oauth.json', async () => {
    const form = (fields: Record<string, string>): RequestInit => ({ method: 'POST', body: new URLSearchParams(fields) });
    const client = { client_id: SANDBOX_OAUTH_CLIENT.clientId, client_secret: SANDBOX_OAUTH_CLIENT.clientSecret };
    const code = sandbox.issueAuthorizationCode();
    const cases: { response: Response; ref: string }[] = [];
    const granted = await fetch(`${url}/oauth/token`, form({ ...client, grant_type: 'authorization_code', code }));
    cases.push({ response: granted.clone(), ref: '#/components/schemas/GetAccessCodeSuccessfulResponseDto' });
    const refresh = String(((await granted.json()) as { refresh_token: string }).refresh_token);
    cases.push({ response: await fetch(`${url}/oauth/token`, form({ ...client, grant_type: 'refresh_token', refresh_token: refresh })), ref: '#/components/schemas/GetAccessCodeSuccessfulResponseDto' });
    cases.push({ response: await fetch(`${url}/oauth/token`, form({ ...client, grant_type: 'refresh_token', refresh_token: refresh })), ref: '../common/common-schemas.json#/components/schemas/BadRequestDTO' });
    cases.push({ response: await fetch(`${url}/oauth/token`, form({ ...client, client_secret: 'wrong', grant_type: 'refresh_token', refresh_token: 'x' })), ref: '../common/common-schemas.json#/components/schemas/UnauthorizedDTO' });
    cases.push({ response: await fetch(`${url}/oauth/token`, form({ grant_type: 'password' })), ref: '../common/common-schemas.json#/components/schemas/UnprocessableDTO' });
    const agency = { authorization: `Bearer ${sandboxAgencyToken()}`, version: API_VERSION };
    const installed = `${url}/oauth/installedLocations?companyId=${SANDBOX_COMPANY_ID}&appId=${SANDBOX_APP_ID}`;
    cases.push({ response: await fetch(`${installed}&isInstalled=true&limit=5`, { headers: agency }), ref: '#/components/schemas/GetInstalledLocationsSuccessfulResponseDto' });
    cases.push({ response: await fetch(`${url}/oauth/installedLocations?appId=x`, { headers: agency }), ref: '../common/common-schemas.json#/components/schemas/UnprocessableDTO' });
    cases.push({ response: await fetch(installed, { headers: { ...agency, authorization: 'Bearer nope' } }), ref: '../common/common-schemas.json#/components/schemas/UnauthorizedDTO' });
    cases.push({ response: await fetch(installed, { headers: { authorization: agency.authorization } }), ref: '../common/common-schemas.json#/components/schemas/BadRequestDTO' });
    cases.push({
      response: await fetch(`${url}/oauth/locationToken`, { method: 'POST', headers: agency, body: new URLSearchParams({ companyId: SANDBOX_COMPANY_ID, locationId }) }),
      ref: '#/components/schemas/GetLocationAccessTokenSuccessfulResponseDto',
    });
    const expected = [200, 200, 400, 401, 422, 200, 422, 401, 400, 200];
    for (const [i, { response, ref }] of cases.entries()) {
      expect(response.status).toBe(expected[i]);
      const validate = responseValidator(ref, 'oauth');
      const body: unknown = await response.json();
      expect(validate(body), `${ref}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('serves every operation of oauth.json, and only those under /oauth/', async () => {
    const served = new Set(oauthOperations().map((op) => `${op.method} ${op.path}`));
    expect(served).toEqual(new Set(['POST /oauth/token', 'POST /oauth/locationToken', 'GET /oauth/installedLocations']));
    for (const route of served) {
      const [method, path] = route.split(' ');
      const response = await fetch(`${url}${path ?? ''}`, { method: method ?? 'GET' });
      // Answered by its route (an error about the request), not by the catch-all 404 of unknown paths.
      expect([route, response.status]).not.toEqual([route, 404]);
    }
    expect((await fetch(`${url}/oauth/unknownRoute`)).status).toBe(404);
  });

  it('states the legacy list meta per ContactsMetaSchema', () => {
    const legacy = answers.filter((a) => a.operationId === 'get-contacts' && a.status === 200);
    expect(legacy.length).toBeGreaterThan(0);
    for (const answer of legacy) {
      const validate = responseValidator('LegacyContactsResponseDto');
      expect(validate(answer.body), JSON.stringify(validate.errors)).toBe(true);
    }
  });
});
