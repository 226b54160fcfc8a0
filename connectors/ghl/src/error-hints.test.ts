import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHttpError, type HttpError } from '@ferry/core';
import { GhlClient } from './client/ghl-client.js';
import { startSandbox, type SandboxHarness } from './testing/sandbox-harness.js';

/** What a person sees when GHL refuses a call: the API's words, the trace id, and a hint they can act on. */

let harness: SandboxHarness;
let other: string;

beforeAll(async () => {
  harness = await startSandbox({ size: 5, seed: 2, extra: { locations: ['sbxLocation000000001', 'sbxLocation000000002'], accessTokenTtlSeconds: 60 } });
  other = 'sbxLocation000000002';
});
afterAll(() => harness.close());

async function failure(run: () => Promise<unknown>): Promise<HttpError> {
  try {
    await run();
  } catch (error) {
    if (isHttpError(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('error hints', () => {
  it('401 unknown token: HTTP_UNAUTHORIZED, systemic, re-authenticate', async () => {
    const error = await failure(() => harness.client('pit-not-a-real-token').searchPage({}));
    expect(error.code).toBe('HTTP_UNAUTHORIZED');
    expect(error.status).toBe(401);
    expect(error.message).toContain('Invalid token: access token is invalid');
    expect(error.traceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.systemic).toBe(true);
    expect(error.hint).toContain('ferry auth');
    expect(error.message).not.toContain('pit-not-a-real-token');
  });

  it('401 expired token: the message says it expired', async () => {
    const code = harness.sandbox.issueAuthorizationCode({ scopes: ['contacts.readonly'] });
    const response = await fetch(`${harness.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', grant_type: 'authorization_code', code }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    expect((await harness.client(token).searchPage({ pageLimit: 1 })).contacts).toHaveLength(1);
    harness.sandbox.advanceClock(61_000);
    const error = await failure(() => harness.client(token).searchPage({ pageLimit: 1 }));
    expect(error.code).toBe('HTTP_UNAUTHORIZED');
    expect(error.apiMessage).toBe('Invalid token: access token has expired');
  });

  it('403 for another location: HTTP_FORBIDDEN_LOCATION names the location to fix', async () => {
    const foreign = new GhlClient(harness.http(), { locationId: other });
    const error = await failure(() => foreign.searchPage({}));
    expect(error.code).toBe('HTTP_FORBIDDEN_LOCATION');
    expect(error.status).toBe(403);
    expect(error.apiMessage).toBe('The token does not have access to this location');
    expect(error.systemic).toBe(true);
    expect(error.hint).toContain('another location');
  });

  it('a read-only token on a write: HTTP_MISSING_SCOPE names contacts.write', async () => {
    const error = await failure(() => harness.client(harness.tokens.readOnly).createContact({ firstName: 'No' }));
    expect(error.code).toBe('HTTP_MISSING_SCOPE');
    expect(error.apiMessage).toBe('The token is not authorized for this scope.');
    expect(error.hint).toContain('contacts.write');
    expect(error.systemic).toBe(true);
  });

  it('422: every field message of the API, in the message and the hint', async () => {
    const error = await failure(() => harness.client().createTask('x'.repeat(20), { title: 'T', dueDate: '2030-01-01T00:00:00Z', extra: 1 } as never));
    expect(error.code).toBe('HTTP_VALIDATION');
    expect(error.status).toBe(422);
    expect(error.apiMessage).toBe('property extra should not exist');
    expect(error.hint).toContain('property extra should not exist');

    const many = await failure(() =>
      harness.client().call('create-contact', { body: { locationId: harness.locationId, email: 42, tags: 'vip', nickname: 'x' } }),
    );
    expect(many.apiMessage).toBe('property nickname should not exist; email must be a string; tags must be an array');
    expect(many.systemic).toBe(false);
  });

  it('the contact of another location is refused with 403, an unknown one is "not found"', async () => {
    const elsewhere = new GhlClient(harness.http(`pit-sandbox-${other}`), { locationId: other });
    const created = await elsewhere.createContact({ firstName: 'Elsewhere' });
    if (!('contact' in created)) throw new Error('expected a created contact');
    const error = await failure(() => harness.client().getContact(created.contact.id));
    expect(error.code).toBe('HTTP_FORBIDDEN_LOCATION');
    expect(await harness.client().getContact('noSuchContact0000001')).toBeUndefined();
  });
});
