import { afterAll, describe, expect, it } from 'vitest';
import { closeAllPools, isHttpError, type JsonRecord, type WebhookDelivery } from '@ferry/core';
import { describeConformance, readAllPages, type ActionFixture, type TriggerFixture } from '@ferry/core/testing';
import { salesmsg } from './connector.js';
import salesmsgDefault from './index.js';
import { createSalesmsgSandbox } from './sandbox/index.js';
import { contactsStream } from './streams/contacts.js';
import { startSandbox, type SandboxHarness } from './testing/sandbox-harness.js';

const SEED = 13;
const SIZE = 60;
const WEBHOOK_SECRET = 'conformance-webhook-secret';

/** The sandbox is deterministic: a preview from the same seed names the records the fixture reads. */
interface Preview {
  contacts: { id: number; number: string; tags: { label: string }[] }[];
  conversations: { id: number }[];
}
const preview = createSalesmsgSandbox({ baseUrl: 'http://127.0.0.1:1', seed: SEED, size: SIZE }).snapshot() as unknown as Preview;
const [first, second, third, fourth] = preview.contacts;
const conversation = preview.conversations[0];
if (first === undefined || second === undefined || third === undefined || fourth === undefined || conversation === undefined) {
  throw new Error('the seeded data lacks what the fixture needs');
}

function delivery(event: string): () => WebhookDelivery {
  return () => {
    const contact = { id: first?.id, first_name: 'Hook', number: first?.number, updated_at: '2030-01-01T00:00:00.000000Z', tags: [] };
    const data: JsonRecord = event.startsWith('message.')
      ? { contact, message: { id: 700_001, conversation_id: conversation?.id, body: 'Hi', direction: 'inbound', created_at: '2030-01-01T00:00:00.000000Z' } }
      : { contact };
    return { headers: {}, rawBody: Buffer.from(JSON.stringify({ event, data })), pathSecret: WEBHOOK_SECRET, receivedAt: new Date() };
  };
}

const triggers: Record<string, TriggerFixture> = Object.fromEntries(salesmsg.triggers.map((t) => [t.name, { delivery: delivery(t.name), records: 1 }]));

const actions: Record<string, ActionFixture> = {
  'contacts.create': { validInput: { number: '+15125558888', first_name: 'Conf', email: 'conf@example.com' }, invalidInput: { first_name: 'no number' }, run: true },
  'contacts.update': { validInput: { id: first.id, first_name: 'Conformed' }, invalidInput: { id: 'abc' }, run: true },
  'contacts.delete': { validInput: { id: fourth.id }, invalidInput: { id: 'x' }, run: true },
  'contacts.opt-out': { validInput: { id: second.id }, invalidInput: { id: -1 }, run: true },
  'contacts.opt-in': { validInput: { id: String(second.id) }, invalidInput: { id: 0 }, run: true },
  'contacts.tag': { validInput: { id: third.id, tags: ['conformance'] }, invalidInput: { tags: 5 }, options: { tags: ['vip'] }, run: true },
  'contacts.untag': { validInput: { id: third.id, tags: 'conformance' }, invalidInput: { tags: [''] }, run: true },
};

let harness: SandboxHarness | undefined;
function running(): SandboxHarness {
  if (harness === undefined) throw new Error('the sandbox is not running');
  return harness;
}

afterAll(async () => {
  await closeAllPools();
});

describeConformance(salesmsg, {
  validConfig: { baseUrl: 'http://127.0.0.1:1', accountId: 1001, webhookSecret: WEBHOOK_SECRET, pageSize: 20 },
  invalidConfigs: [
    { config: { baseUrl: 'ftp://nope' }, because: 'has a base URL that is not http(s)' },
    { config: { pageSize: 0 }, because: 'asks for empty pages' },
    { config: { webhookSecret: 'short' }, because: 'has a guessable webhook secret' },
    { config: { contactsRoute: 'search' }, because: 'names an unknown contacts route' },
    { config: { base_url: 'https://x' }, because: 'has an unknown key' },
  ],
  setup: async () => {
    harness = await startSandbox({ seed: SEED, size: SIZE });
  },
  teardown: async () => {
    await harness?.close();
  },
  context: () => running().context({ config: { webhookSecret: WEBHOOK_SECRET, pageSize: 20 } }),
  streams: {
    contact: { params: { contactId: first.id } },
    'contacts.search': { params: { term: first.number } },
    'conversation.messages': { params: { conversationId: conversation.id } },
  },
  actions,
  triggers,
  errorCase: (ctx) => salesmsg.actions.find((a) => a.name === 'contacts.update')?.run(ctx, { input: { id: 1, first_name: 'x' }, options: {}, linkedId: undefined, source: { connector: 'salesmsg', stream: 'x', schema: {}, primaryKey: 'id' } }) ?? Promise.resolve(),
  errorCode: 'HTTP_NOT_FOUND',
});

describe('salesmsg connector', () => {
  it('is the default export, with the facts of the API in its metadata', () => {
    expect(salesmsgDefault).toBe(salesmsg);
    expect(salesmsg.limits.windows).toContainEqual({ max: 60, perMs: 60_000 });
    expect(salesmsg.limits.penaltyMs).toBe(60_000);
    expect(salesmsg.scopes).toEqual({
      read: ['contacts:read', 'tags:read', 'conversations:read', 'messages:read'],
      write: ['contacts:write', 'tags:write'],
      grantsAll: ['public-api'],
    });
    expect(salesmsg.auth.map((a) => a.kind)).toEqual(['bearer', 'oauth2']);
    expect(salesmsg.auth.find((a) => a.kind === 'oauth2')).toMatchObject({ refreshUrl: 'https://api.salesmessage.com/pub/v2.2/oauth/token/refresh' });
    expect(salesmsg.http.baseUrl({})).toBe('https://api.salesmessage.com/pub/v2.3');
    expect(salesmsg.http.baseUrl({ baseUrl: 'http://127.0.0.1:4010', apiVersion: '2.2' })).toBe('http://127.0.0.1:4010/pub/v2.2');
    expect(typeof salesmsg.client).toBe('function');
  });
});

describe('auth failures: 401, 403 and 500 all stop the run with `ferry auth <connection>`', () => {
  it.each([
    ['401 Unauthenticated (unknown token)', 'unknown', 401],
    ['403 with auth_required (revoked token)', 'revoked', 403],
    ['500 "Token has expired" (expired OAuth token)', 'expired', 500],
  ] as const)('%s', async (_, kind, status) => {
    const h = await startSandbox({ seed: 1, size: 5 });
    try {
      let token = 'sbx-unknown-token';
      if (kind === 'revoked') {
        token = h.tokens.legacy;
        h.sandbox.revokeToken(token);
      }
      if (kind === 'expired') {
        const code = h.sandbox.issueAuthorizationCode();
        const grant = await fetch(`${h.baseUrl}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret' }),
        });
        token = ((await grant.json()) as { access_token: string }).access_token;
        h.sandbox.advanceClock(90_000_000);
      }
      const ctx = h.context({ token });
      const error = await readAllPages(contactsStream, ctx, { mode: 'full' }).catch((e: unknown) => e);
      expect(isHttpError(error)).toBe(true);
      if (!isHttpError(error)) return;
      expect(error.status).toBe(status);
      expect(error.code).toBe('HTTP_UNAUTHORIZED');
      expect(error.systemic).toBe(true);
      expect(error.hint).toContain('`ferry auth salesmsg`');
      // Not retried as a server error: one call, one refusal.
      expect((h.sandbox.stats()['byStatus'] as Record<string, number>)[String(status)]).toBe(1);
    } finally {
      await h.close();
    }
  });
});

describe('rate limit', () => {
  it('after a 429 every call waits the (time-scaled) 60 s penalty, then the read resumes', async () => {
    // 30× faster: a minute, and the penalty, last two seconds.
    const h = await startSandbox({ seed: 2, size: 40, timeScale: 30 });
    try {
      // Another app spends the account's minute.
      await Promise.all(Array.from({ length: 60 }, () => fetch(`${h.baseUrl}/contacts/10001`, { headers: { authorization: `Bearer ${h.tokens.full}` } })));
      const ctx = h.context({ config: { pageSize: 10 } });
      const started = performance.now();
      const pages = await readAllPages(contactsStream, ctx, { mode: 'full' });
      const elapsed = performance.now() - started;
      expect(pages.flatMap((p) => p.records)).toHaveLength(40);
      expect(ctx.http.stats.rateLimited).toBe(1);
      expect(elapsed).toBeGreaterThanOrEqual(1950);
      const account = h.sandbox.stats()['account'] as { rateLimited: number; lockouts: number };
      expect(account).toMatchObject({ rateLimited: 1, lockouts: 1 });
    } finally {
      await h.close();
    }
  });
});
