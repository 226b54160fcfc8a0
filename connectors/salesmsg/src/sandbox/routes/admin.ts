import { http, type RequestHandler } from 'msw';
import type { JsonRecord } from '@ferry/core';
import { toResponse } from '../endpoint.js';
import { errorReply, ok } from '../replies.js';
import type { SandboxWorld } from '../sandbox-world.js';
import { WEBHOOK_EVENTS, type WebhookEventName } from '../webhook-outbox.js';

async function jsonObject(request: Request): Promise<JsonRecord | undefined> {
  try {
    const parsed: unknown = await request.json();
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonRecord) : undefined;
  } catch {
    return undefined;
  }
}

function optionalId(value: unknown): number | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : null;
}

/**
 * Sandbox-only routes under `/__sandbox/` that drive real-time flows from tests and demos:
 * - `POST /__sandbox/webhooks {url, event, contactId?, messageId?}` sends one delivery now and answers with the
 *   receiver's status;
 * - `POST /__sandbox/webhooks/subscriptions {url}` makes API changes notify `url`;
 * - `POST /__sandbox/messages {contactId, body, direction?}` adds a message as if the contact had texted in.
 */
export function adminHandlers(world: SandboxWorld): RequestHandler[] {
  const { origin } = world.settings;
  return [
    http.post(`${origin}/__sandbox/webhooks`, async ({ request }) => {
      const body = await jsonObject(request);
      const event = body?.['event'];
      const url = body?.['url'];
      const contactId = optionalId(body?.['contactId']);
      const messageId = optionalId(body?.['messageId']);
      if (typeof url !== 'string' || !URL.canParse(url) || !(WEBHOOK_EVENTS as readonly unknown[]).includes(event) || contactId === null || messageId === null) {
        return toResponse(errorReply(400, `expected {url, event (one of ${WEBHOOK_EVENTS.join(', ')}), contactId?, messageId?}`));
      }
      const data = world.webhookData(event as WebhookEventName, {
        ...(contactId === undefined ? {} : { contactId }),
        ...(messageId === undefined ? {} : { messageId }),
      });
      if (typeof data === 'string') return toResponse(errorReply(404, data));
      const status = await world.outbox.deliver(url, event as string, data);
      return toResponse(ok({ delivered: status >= 200 && status < 300, status }));
    }),
    http.post(`${origin}/__sandbox/webhooks/subscriptions`, async ({ request }) => {
      const url = (await jsonObject(request))?.['url'];
      if (typeof url !== 'string' || !URL.canParse(url)) return toResponse(errorReply(400, 'expected {url}'));
      world.outbox.subscribe(url);
      return toResponse(ok({ urls: [...world.outbox.urls] }));
    }),
    http.post(`${origin}/__sandbox/messages`, async ({ request }) => {
      const body = await jsonObject(request);
      const contactId = optionalId(body?.['contactId']);
      const text = body?.['body'];
      const direction = body?.['direction'] ?? 'inbound';
      const contact = typeof contactId === 'number' ? world.contacts.get(contactId) : undefined;
      if (contact === undefined || typeof text !== 'string' || (direction !== 'inbound' && direction !== 'outbound')) {
        return toResponse(errorReply(400, 'expected {contactId (an existing contact), body, direction?: inbound|outbound}'));
      }
      const message = world.addMessage(contact, text, direction);
      return toResponse(ok({ id: message.id, conversationId: message.conversationId }, 201));
    }),
  ];
}
