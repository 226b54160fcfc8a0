import { http, type RequestHandler } from 'msw';
import {
  FerryError,
  serveSandbox,
  type FaultRates,
  type JsonRecord,
  type SandboxDef,
  type SandboxInstance,
  type SandboxOptions,
  type ServeSandboxOptions,
} from '@ferry/core';
import { countRequest, countStatus, endpointHandler, toResponse, type Endpoint } from './endpoint.js';
import type { StoredContact } from './model.js';
import { NOT_FOUND } from './replies.js';
import { adminHandlers } from './routes/admin.js';
import { contactEndpoints } from './routes/contacts.js';
import { conversationEndpoints } from './routes/conversations.js';
import { oauthHandlers } from './routes/oauth.js';
import { tagEndpoints } from './routes/tags.js';
import { SandboxWorld } from './sandbox-world.js';
import { ALL_SCOPES, readSettings, SANDBOX_ACCOUNT_ID, SANDBOX_OAUTH_CLIENT } from './settings.js';
import type { WebhookEventName } from './webhook-outbox.js';

/** A webhook to send now: a contact event names the contact; a message event the message (or its contact). */
export interface WebhookRequest {
  readonly event: WebhookEventName;
  readonly contactId?: number;
  readonly messageId?: number;
}

export interface SalesmsgSandboxInstance extends SandboxInstance {
  readonly accountId: number;
  /** The sandbox's clock (epoch ms), which `advanceClock` moves: expire tokens without waiting. */
  now(): number;
  advanceClock(ms: number): void;
  /** An authorization code as the consent page would hand out. */
  issueAuthorizationCode(input?: { scopes?: readonly string[]; clientId?: string; redirectUri?: string }): string;
  /** Revokes an access token: its next use is refused (403 with `auth_required`). */
  revokeToken(token: string): boolean;
  /** Makes API changes send contact.created / contact.updated (and friends) to `url`. */
  subscribeWebhooks(url: string): void;
  /** Waits until every delivery caused so far has been answered. */
  flushWebhooks(): Promise<void>;
  /** Sends one delivery to `url` now; resolves with the receiver's status (0 when unreachable). */
  emitWebhook(url: string, request: WebhookRequest): Promise<number>;
  /** A message as if the contact had texted in (or an agent had answered), with its webhook. */
  addMessage(input: { contactId: number; body: string; direction?: 'inbound' | 'outbound' }): { id: number; conversationId: number };
  /** Changes a contact as a person in the Salesmsg app would (not through the rate-limited API). */
  editContact(id: number, fields: { first_name?: string | null; last_name?: string | null; email?: string | null }): JsonRecord;
  /** Deletes a contact as a person in the app would; false when there is none. */
  removeContact(id: number): boolean;
}

/** Literal paths first (msw answers with the first match). */
const ENDPOINTS: readonly Endpoint[] = [...contactEndpoints, ...tagEndpoints, ...conversationEndpoints];

function sandboxError(message: string): FerryError {
  return new FerryError('SALESMSG_SANDBOX_STATE', message, { hint: 'use an id from the sandbox snapshot (GET /__sandbox/state)' });
}

export function createSalesmsgSandbox(options: SandboxOptions): SalesmsgSandboxInstance {
  const settings = readSettings(options);
  const world = new SandboxWorld(settings);
  const handlers: RequestHandler[] = [
    ...adminHandlers(world),
    ...oauthHandlers(world),
    ...ENDPOINTS.map((endpoint) => endpointHandler(world, endpoint)),
    http.all(`${settings.origin}/pub/*`, () => {
      countRequest(world, 'unknown');
      countStatus(world, 404);
      return toResponse(NOT_FOUND);
    }),
  ];
  const contactOf = (id: number): StoredContact => {
    const contact = world.contacts.get(id);
    if (contact === undefined) throw sandboxError(`the sandbox has no contact ${id}`);
    return contact;
  };
  return {
    handlers,
    accountId: SANDBOX_ACCOUNT_ID,
    snapshot: () => world.snapshot(),
    stats: () => world.stats(),
    setFaults: (faults: FaultRates) => world.faults.setRates(faults),
    now: () => world.now(),
    advanceClock: (ms) => world.advanceClock(ms),
    issueAuthorizationCode: (input = {}) =>
      world.tokens.issueCode({
        scopes: input.scopes ?? ALL_SCOPES,
        clientId: input.clientId ?? SANDBOX_OAUTH_CLIENT.clientId,
        redirectUri: input.redirectUri,
      }),
    revokeToken: (token) => world.tokens.revoke(token),
    subscribeWebhooks: (url) => world.outbox.subscribe(url),
    flushWebhooks: () => world.outbox.flush(),
    async emitWebhook(url, request) {
      const data = world.webhookData(request.event, request);
      if (typeof data === 'string') throw sandboxError(data);
      return world.outbox.deliver(url, request.event, data);
    },
    addMessage(input) {
      const message = world.addMessage(contactOf(input.contactId), input.body, input.direction ?? 'inbound');
      return { id: message.id, conversationId: message.conversationId };
    },
    editContact(id, fields) {
      const contact = contactOf(id);
      world.touch(contact, (c) => {
        if (fields.first_name !== undefined) c.first_name = fields.first_name;
        if (fields.last_name !== undefined) c.last_name = fields.last_name;
        if (fields.email !== undefined) c.email = fields.email;
      });
      return world.contactJson(contact);
    },
    removeContact(id) {
      const contact = world.contacts.get(id);
      if (contact === undefined) return false;
      world.deleteContact(contact);
      return true;
    },
  };
}

/** The Salesmsg sandbox as the connector contract wants it (`ferry sandbox salesmsg`, tests, benchmarks). */
export const salesmsgSandbox: SandboxDef & { create(options: SandboxOptions): SalesmsgSandboxInstance } = { create: createSalesmsgSandbox };

/**
 * Sends one webhook delivery from a sandbox to `url` (a ferry receiver, in end-to-end tests); resolves with the
 * receiver's HTTP status, 0 when it could not be reached.
 */
export function emitWebhook(instance: SalesmsgSandboxInstance, url: string, request: WebhookRequest): Promise<number> {
  return instance.emitWebhook(url, request);
}

export interface ServedSalesmsgSandbox {
  /** Origin of the server. */
  readonly url: string;
  /** The API base URL to give a connection (`<url>/pub/v2.3`). */
  readonly baseUrl: string;
  readonly port: number;
  readonly sandbox: SalesmsgSandboxInstance;
  close(): Promise<void>;
}

/** Serves the sandbox on loopback (with the core admin routes) and hands back its typed instance. */
export async function serveSalesmsgSandbox(options: ServeSandboxOptions = {}): Promise<ServedSalesmsgSandbox> {
  let created: SalesmsgSandboxInstance | undefined;
  const served = await serveSandbox(
    {
      create(o) {
        created = createSalesmsgSandbox(o);
        return created;
      },
    },
    options,
  );
  if (created === undefined) {
    await served.close();
    throw new FerryError('SALESMSG_SANDBOX_START', 'the Salesmsg sandbox was not created', { hint: 'check the sandbox options' });
  }
  return { url: served.url, baseUrl: `${served.url}/pub/v2.3`, port: served.port, sandbox: created, close: () => served.close() };
}
