import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHarness } from '../testing/sandbox-harness.js';
import { API_VERSION, createGhlSandbox, SANDBOX_APP_ID, SANDBOX_COMPANY_ID, sandboxAgencyToken, sandboxTokens, serveGhlSandbox, SANDBOX_OAUTH_CLIENT } from './index.js';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(url: string, token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, version: API_VERSION, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

describe('rate windows', () => {
  it('answers 429 past 100 calls in a window, per location, with the X-RateLimit headers', async () => {
    const locations = ['sbxLocation000000001', 'sbxLocation000000002'];
    // Real-time windows: 130 calls land well within 10 s even on a busy machine.
    const served = await serveGhlSandbox({ size: 3, timeScale: 1, extra: { locations } });
    try {
      const [one, two] = locations.map((l) => sandboxTokens(l).full);
      const burst = await Promise.all(Array.from({ length: 130 }, () => call(served.url, one ?? '', 'GET', `/contacts/?locationId=${locations[0] ?? ''}&limit=1`)));
      const limited = burst.filter((a) => a.status === 429);
      expect(limited).toHaveLength(30);
      const sample = limited[0];
      expect(sample?.headers.get('x-ratelimit-max')).toBe('100');
      expect(sample?.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(sample?.headers.get('x-ratelimit-interval-milliseconds')).toBe('10000');
      expect(sample?.headers.get('x-ratelimit-limit-daily')).toBe('200000');
      expect(Number(sample?.headers.get('x-ratelimit-daily-remaining'))).toBeLessThan(200_000);
      expect(sample?.body).toMatchObject({ statusCode: 429 });
      // The other location has its own budget.
      expect((await call(served.url, two ?? '', 'GET', `/contacts/?locationId=${locations[1] ?? ''}&limit=1`)).status).toBe(200);
      const stats = served.sandbox.stats() as { locations: Record<string, { peakInWindow: number; rollingPeak: number; rateLimited: number }>; rateLimited: number };
      const first = stats.locations[locations[0] ?? ''];
      expect(first?.peakInWindow).toBe(100);
      expect(first?.rollingPeak).toBeLessThanOrEqual(100);
      expect(first?.rateLimited).toBe(limited.length);
      expect(stats.rateLimited).toBe(limited.length);
    } finally {
      await served.close();
    }
  });

  it('the real client, throttled ahead of time, never goes above the window', async () => {
    // 2 s windows: wide enough that scheduling jitter on a busy machine cannot squeeze two windows into one.
    const harness = await startSandbox({ size: 5, timeScale: 5 });
    try {
      const client = harness.client();
      await Promise.all(Array.from({ length: 150 }, () => client.getContact('noSuchContact0000001')));
      const stats = harness.sandbox.stats() as { locations: Record<string, { rollingPeak: number; rateLimited: number; admitted: number }> };
      const mine = stats.locations[harness.locationId];
      expect(mine?.admitted).toBe(150);
      expect(mine?.rateLimited).toBe(0);
      expect(mine?.rollingPeak).toBeLessThanOrEqual(100);
    } finally {
      await harness.close();
    }
  });
});

describe('contacts semantics', () => {
  let harness: SandboxHarness;
  let url: string;
  let token: string;
  let loc: string;
  beforeAll(async () => {
    harness = await startSandbox({ size: 40, seed: 12 });
    ({ url, locationId: loc } = harness);
    token = harness.tokens.full;
  });
  afterAll(() => harness.close());

  it('refuses a duplicate create with the existing contact in meta, and upsert updates it', async () => {
    const first = await call(url, token, 'POST', '/contacts/', { locationId: loc, email: 'Dup@Example.com', phone: '+1 (512) 555-9911' });
    expect(first.status).toBe(201);
    const id = (first.body['contact'] as { id: string }).id;
    const again = await call(url, token, 'POST', '/contacts/', { locationId: loc, email: 'dup@example.com' });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ message: 'This location does not allow duplicated contacts.', meta: { contactId: id, matchingField: 'email' } });
    const byPhone = await call(url, token, 'POST', '/contacts/', { locationId: loc, phone: '5125559911' });
    expect(byPhone.body).toMatchObject({ meta: { contactId: id, matchingField: 'phone' } });
    const upsert = await call(url, token, 'POST', '/contacts/upsert', { locationId: loc, phone: '+15125559911', firstName: 'Found' });
    expect(upsert.body).toMatchObject({ new: false, contact: { id, firstName: 'Found' } });
    const dupSearch = await call(url, token, 'GET', `/contacts/search/duplicate?locationId=${loc}&number=${encodeURIComponent('+15125559911')}`);
    expect((dupSearch.body['contact'] as { id: string }).id).toBe(id);
    // An unencoded + reads as a space: an international number then reads as a national one and misses.
    await call(url, token, 'POST', '/contacts/', { locationId: loc, phone: '+447700900123' });
    const encoded = await call(url, token, 'GET', `/contacts/search/duplicate?locationId=${loc}&number=%2B447700900123`);
    expect(encoded.body['contact']).not.toBeNull();
    const unencoded = await call(url, token, 'GET', `/contacts/search/duplicate?locationId=${loc}&number=+447700900123`);
    expect(unencoded.body['contact']).toBeNull();
  });

  it('upsert follows the priority of the duplicate setting and ignores a second field owned by another contact', async () => {
    const served = await serveGhlSandbox({ size: 0, timeScale: 0, extra: { duplicatePriority: ['phone', 'email'] } });
    try {
      const t = sandboxTokens(served.sandbox.locationIds()[0] ?? '').full;
      const l = served.sandbox.locationIds()[0] ?? '';
      const byEmail = await call(served.url, t, 'POST', '/contacts/', { locationId: l, email: 'a@example.com' });
      const byPhone = await call(served.url, t, 'POST', '/contacts/', { locationId: l, phone: '+14155550001' });
      const upsert = await call(served.url, t, 'POST', '/contacts/upsert', { locationId: l, email: 'a@example.com', phone: '+14155550001', city: 'Oslo' });
      const phoneId = (byPhone.body['contact'] as { id: string }).id;
      expect(upsert.body).toMatchObject({ new: false, contact: { id: phoneId, city: 'Oslo', phone: '+14155550001' } });
      expect((upsert.body['contact'] as { email?: string }).email).toBeUndefined();
      expect((byEmail.body['contact'] as { id: string }).id).not.toBe(phoneId);
    } finally {
      await served.close();
    }
  });

  it('with duplicates allowed, createNewIfDuplicateAllowed creates a second contact', async () => {
    const served = await serveGhlSandbox({ size: 0, timeScale: 0, extra: { allowDuplicates: true } });
    try {
      const l = served.sandbox.locationIds()[0] ?? '';
      const t = sandboxTokens(l).full;
      await call(served.url, t, 'POST', '/contacts/', { locationId: l, email: 'same@example.com' });
      expect((await call(served.url, t, 'POST', '/contacts/', { locationId: l, email: 'same@example.com' })).status).toBe(201);
      const forced = await call(served.url, t, 'POST', '/contacts/upsert', { locationId: l, email: 'same@example.com', createNewIfDuplicateAllowed: true });
      expect(forced.body['new']).toBe(true);
      const matched = await call(served.url, t, 'POST', '/contacts/upsert', { locationId: l, email: 'same@example.com' });
      expect(matched.body['new']).toBe(false);
    } finally {
      await served.close();
    }
  });

  it('keeps dateUpdated current on contact changes only', async () => {
    const created = await call(url, token, 'POST', '/contacts/', { locationId: loc, firstName: 'Clock' });
    const contact = created.body['contact'] as { id: string; dateUpdated: string };
    harness.sandbox.advanceClock(1_000);
    await call(url, token, 'POST', `/contacts/${contact.id}/tasks`, { title: 'T', dueDate: '2030-01-01T00:00:00Z', completed: false });
    const afterTask = (await call(url, token, 'GET', `/contacts/${contact.id}`)).body['contact'] as { dateUpdated: string };
    expect(afterTask.dateUpdated).toBe(contact.dateUpdated);
    await call(url, token, 'POST', `/contacts/${contact.id}/tags`, { tags: ['x'] });
    const afterTags = (await call(url, token, 'GET', `/contacts/${contact.id}`)).body['contact'] as { dateUpdated: string };
    expect(Date.parse(afterTags.dateUpdated)).toBeGreaterThanOrEqual(Date.parse(contact.dateUpdated) + 1_000);
  });

  it('rejects a wrong Version, an unknown body field, and a company name on update', async () => {
    const wrong = await fetch(`${url}/contacts/search`, { method: 'POST', headers: { authorization: `Bearer ${token}`, version: '2021-04-15' }, body: '{}' });
    expect(wrong.status).toBe(400);
    const created = await call(url, token, 'POST', '/contacts/', { locationId: loc, firstName: 'Strict' });
    const id = (created.body['contact'] as { id: string }).id;
    const update = await call(url, token, 'PUT', `/contacts/${id}`, { companyName: 'Nope', locationId: loc });
    expect(update.status).toBe(422);
    expect(update.body['message']).toEqual(['property companyName should not exist', 'property locationId should not exist']);
    const broken = await fetch(`${url}/contacts/`, { method: 'POST', headers: { authorization: `Bearer ${token}`, version: API_VERSION, 'content-type': 'application/json' }, body: '{"locationId":' });
    expect(broken.status).toBe(400);
  });
});

describe('search', () => {
  let harness: SandboxHarness;
  let search: (body: Record<string, unknown>) => Promise<Answer>;
  beforeAll(async () => {
    harness = await startSandbox({ size: 300, seed: 31 });
    search = (body) => call(harness.url, harness.tokens.full, 'POST', '/contacts/search', { locationId: harness.locationId, pageLimit: 500, ...body });
  });
  afterAll(() => harness.close());

  function contactsOf(answer: Answer): Record<string, unknown>[] {
    return answer.body['contacts'] as Record<string, unknown>[];
  }

  it('filters with eq, not_eq, contains, exists, not_exists, range and OR groups', async () => {
    const all = contactsOf(await search({}));
    expect(all).toHaveLength(300);
    const vip = contactsOf(await search({ filters: [{ field: 'tags', operator: 'eq', value: 'VIP' }] }));
    expect(vip.length).toBe(all.filter((c) => (c['tags'] as string[]).includes('vip')).length);
    const notVip = contactsOf(await search({ filters: [{ field: 'tags', operator: 'not_eq', value: 'vip' }] }));
    expect(vip.length + notVip.length).toBe(300);
    const smiths = contactsOf(await search({ filters: [{ field: 'lastName', operator: 'contains', value: 'mit' }] }));
    expect(smiths.every((c) => String(c['lastName']).toLowerCase().includes('mit'))).toBe(true);
    const noEmail = contactsOf(await search({ filters: [{ field: 'email', operator: 'not_exists' }] }));
    const withEmail = contactsOf(await search({ filters: [{ field: 'email', operator: 'exists' }] }));
    expect(noEmail.length + withEmail.length).toBe(300);
    expect(noEmail.length).toBeGreaterThan(0);
    const middle = all.map((c) => String(c['dateAdded'])).sort()[150] ?? '';
    const newer = contactsOf(await search({ filters: [{ field: 'dateAdded', operator: 'range', value: { gte: middle } }] }));
    expect(newer).toHaveLength(150);
    const either = contactsOf(
      await search({ filters: [{ group: 'OR', filters: [{ field: 'tags', operator: 'eq', value: 'vip' }, { field: 'email', operator: 'not_exists' }] }] }),
    );
    expect(either.length).toBe(all.filter((c) => (c['tags'] as string[]).includes('vip') || c['email'] === undefined).length);
    const byName = contactsOf(await search({ query: 'smith' }));
    expect(byName.length).toBeGreaterThan(0);
  });

  it('sorts on up to two keys and pages with searchAfter in that order', async () => {
    const sort = [
      { field: 'lastNameLowerCase', direction: 'asc' },
      { field: 'dateAdded', direction: 'desc' },
    ];
    const whole = contactsOf(await search({ sort }));
    const paged: Record<string, unknown>[] = [];
    let after: unknown;
    for (;;) {
      const page = contactsOf(await search({ sort, pageLimit: 40, ...(after === undefined ? {} : { searchAfter: after }) }));
      paged.push(...page);
      if (page.length < 40) break;
      after = page.at(-1)?.['searchAfter'];
    }
    expect(paged.map((c) => c['id'])).toEqual(whole.map((c) => c['id']));
    const names = whole.map((c) => (typeof c['lastNameLowerCase'] === 'string' ? c['lastNameLowerCase'] : ''));
    expect([...names].sort()).toEqual(names);
  });

  it('enforces pageLimit ≤ 500, the 10,000-record page limit and a well-formed searchAfter', async () => {
    const tooBig = await search({ pageLimit: 501 });
    expect(tooBig.status).toBe(422);
    expect(tooBig.body['message']).toEqual(['pageLimit must not be greater than 500']);
    const deep = await search({ pageLimit: 500, page: 21 });
    expect(deep.status).toBe(400);
    expect(String(deep.body['message'])).toContain('searchAfter');
    const page2 = contactsOf(await search({ pageLimit: 100, page: 2 }));
    expect(page2).toHaveLength(100);
    expect((await search({ searchAfter: [1] })).status).toBe(422);
    expect((await search({ filters: [{ field: 'shoeSize', operator: 'eq', value: 4 }] })).status).toBe(422);
  });
});

describe('faults', () => {
  it('injects 5xx, timeouts, resets and broken bodies at the set rates, and counts them', async () => {
    const harness = await startSandbox({ size: 3 });
    try {
      const path = `${harness.url}/contacts/?locationId=${harness.locationId}`;
      const headers = { authorization: `Bearer ${harness.tokens.full}`, version: API_VERSION };
      harness.sandbox.setFaults({ serverError: 1 });
      expect([500, 502, 503]).toContain((await fetch(path, { headers })).status);
      harness.sandbox.setFaults({ malformed: 1 });
      const malformed = await fetch(path, { headers });
      expect(malformed.status).toBe(200);
      await expect(malformed.json()).rejects.toThrow();
      harness.sandbox.setFaults({ reset: 1 });
      await expect(fetch(path, { headers })).rejects.toThrow();
      harness.sandbox.setFaults({ timeout: 1 });
      await expect(fetch(path, { headers, signal: AbortSignal.timeout(200) })).rejects.toThrow();
      harness.sandbox.setFaults({ rateLimited: 1 });
      expect((await fetch(path, { headers })).status).toBe(429);
      harness.sandbox.setFaults({});
      expect((await fetch(path, { headers })).status).toBe(200);
      const stats = harness.sandbox.stats() as { faults: Record<string, number> };
      expect(stats.faults).toEqual({ rateLimited: 1, serverError: 1, timeout: 1, reset: 1, malformed: 1 });
    } finally {
      await harness.close();
    }
  });

  it('the real client rides out a 20% fault rate on reads', async () => {
    const harness = await startSandbox({ size: 60, faults: { serverError: 0.1, malformed: 0.05, reset: 0.05 } });
    try {
      const client = harness.client();
      const all: string[] = [];
      for await (const contact of client.searchContacts({ pageLimit: 10 })) all.push(contact.id);
      expect(new Set(all).size).toBe(60);
    } finally {
      await harness.close();
    }
  }, 20_000);
});

describe('seeding and credentials', () => {
  it('the same seed and size give the same data, ids included', () => {
    const strip = (s: Record<string, unknown>): unknown => ({ ...s, now: undefined });
    const a = createGhlSandbox({ baseUrl: 'http://127.0.0.1', seed: 77, size: 25 }).snapshot();
    const b = createGhlSandbox({ baseUrl: 'http://127.0.0.1', seed: 77, size: 25 }).snapshot();
    const c = createGhlSandbox({ baseUrl: 'http://127.0.0.1', seed: 78, size: 25 }).snapshot();
    expect(strip(a)).toEqual(strip(b));
    expect(strip(a)).not.toEqual(strip(c));
    const location = (a['locations'] as { contacts: { phone?: string; email?: string }[]; tasks: unknown[]; notes: unknown[]; appointments: unknown[] }[])[0];
    expect(location?.contacts).toHaveLength(25);
    expect(location?.contacts.filter((x) => x.phone !== undefined).every((x) => /^\+1\d{10}$/.test(x.phone ?? ''))).toBe(true);
    expect(location?.tasks.length).toBeGreaterThan(0);
    expect(location?.notes.length).toBeGreaterThan(0);
    expect(location?.appointments.length).toBeGreaterThan(0);
  });

  it('hands out authorization codes through the consent page, and location tokens to agency tokens', async () => {
    const served = await serveGhlSandbox({ size: 1, timeScale: 0, extra: { tokens: [{ token: 'agency-token', userType: 'Company', scopes: ['contacts.readonly', 'contacts.write', 'oauth.write'] }] } });
    try {
      const consent = await fetch(`${served.url}/oauth/chooselocation?response_type=code&client_id=${SANDBOX_OAUTH_CLIENT.clientId}&redirect_uri=http://127.0.0.1:9/cb&scope=contacts.readonly&state=xyz`, { redirect: 'manual' });
      expect(consent.status).toBe(302);
      const target = new URL(consent.headers.get('location') ?? '');
      expect(target.searchParams.get('state')).toBe('xyz');
      const token = await fetch(`${served.url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: SANDBOX_OAUTH_CLIENT.clientId, client_secret: SANDBOX_OAUTH_CLIENT.clientSecret, grant_type: 'authorization_code', code: target.searchParams.get('code') ?? '', redirect_uri: 'http://127.0.0.1:9/cb' }),
      });
      expect(await token.json()).toMatchObject({ token_type: 'Bearer', expires_in: 86_399, scope: 'contacts.readonly', userType: 'Location', locationId: served.sandbox.locationIds()[0] });
      const wrongSecret = await fetch(`${served.url}/oauth/token`, { method: 'POST', body: new URLSearchParams({ client_id: SANDBOX_OAUTH_CLIENT.clientId, client_secret: 'nope', grant_type: 'refresh_token', refresh_token: 'x' }) });
      expect(wrongSecret.status).toBe(401);

      const locationToken = await fetch(`${served.url}/oauth/locationToken`, {
        method: 'POST',
        headers: { authorization: 'Bearer agency-token', version: API_VERSION },
        body: new URLSearchParams({ companyId: 'sbxCompany0000000001', locationId: served.sandbox.locationIds()[0] ?? '' }),
      });
      const minted = (await locationToken.json()) as { access_token: string; locationId: string };
      expect(locationToken.status).toBe(200);
      const use = await call(served.url, minted.access_token, 'GET', `/contacts/?locationId=${minted.locationId}`);
      expect(use.status).toBe(200);
    } finally {
      await served.close();
    }
  });

  it('lists the agency\'s installed locations to its agency token, and mints location tokens only where the app is installed', async () => {
    const locations = ['sbxLocation000000001', 'sbxLocation000000002', 'sbxLocation000000003'];
    const served = await serveGhlSandbox({ size: 1, timeScale: 0, extra: { locations, uninstalledLocations: ['sbxLocation000000002'] } });
    try {
      const agency = sandboxAgencyToken();
      const list = (query: string, token = agency) => call(served.url, token, 'GET', `/oauth/installedLocations?${query}`);
      const base = `companyId=${SANDBOX_COMPANY_ID}&appId=${SANDBOX_APP_ID}`;
      const installed = await list(`${base}&isInstalled=true`);
      expect(installed.status).toBe(200);
      expect((installed.body['locations'] as { _id: string }[]).map((l) => l._id)).toEqual(['sbxLocation000000001', 'sbxLocation000000003']);
      const all = await list(base);
      expect(all.body['count']).toBe(3);
      const paged = await list(`${base}&skip=1&limit=1`);
      expect((paged.body['locations'] as { _id: string; isInstalled: boolean }[]).map((l) => [l._id, l.isInstalled])).toEqual([['sbxLocation000000002', false]]);

      expect((await list(`appId=${SANDBOX_APP_ID}`)).body).toMatchObject({ statusCode: 422, message: ['companyId should not be empty'] });
      expect((await list(`${base}&isInstalled=maybe`)).status).toBe(422);
      expect((await list(`companyId=otherCompany000000001&appId=${SANDBOX_APP_ID}`)).status).toBe(400);
      expect((await list(`companyId=${SANDBOX_COMPANY_ID}&appId=otherApp`)).status).toBe(400);
      // Agency-only: a location's token may not list them.
      expect((await list(base, sandboxTokens('sbxLocation000000001').full)).status).toBe(401);

      const mint = (locationId: string) =>
        fetch(`${served.url}/oauth/locationToken`, {
          method: 'POST',
          headers: { authorization: `Bearer ${agency}`, version: API_VERSION },
          body: new URLSearchParams({ companyId: SANDBOX_COMPANY_ID, locationId }),
        });
      const minted = (await (await mint('sbxLocation000000003')).json()) as { access_token: string; scope: string };
      expect(minted.scope.split(' ')).toEqual(['contacts.readonly', 'contacts.write']);
      expect((await call(served.url, minted.access_token, 'GET', '/contacts/?locationId=sbxLocation000000003')).status).toBe(200);
      expect((await mint('sbxLocation000000002')).status).toBe(400);
      expect((served.sandbox.stats() as { oauth: { locationToken: number } }).oauth.locationToken).toBe(1);
    } finally {
      await served.close();
    }
  });
});
