import type { TriggerDef } from '@ferry/core';
import { parseDelivery, type DeliveryKind } from './delivery-parser.js';
import { verifyUrlSecret } from './url-secret.js';

function webhookTrigger(name: string, kind: DeliveryKind, description: string): TriggerDef {
  return {
    name,
    description: `${description} Protected by the webhookSecret at the end of its URL; deliveries dedupe by id, else by record id and updated_at.`,
    kind: 'webhook',
    stream: kind === 'contact' ? 'contacts' : 'conversation.messages',
    urlSecret: true,
    verify: verifyUrlSecret,
    parse: (delivery) => parseDelivery(name, kind, delivery),
  };
}

export const webhookTriggers: readonly TriggerDef[] = [
  webhookTrigger('contact.created', 'contact', 'A contact was created in Salesmsg (records of `contacts`).'),
  webhookTrigger('contact.updated', 'contact', 'A contact changed (records of `contacts`).'),
  webhookTrigger('contact.opted_out', 'contact', 'A contact opted out of messages (records of `contacts`).'),
  webhookTrigger('contact.tag_added', 'contact', 'A tag was added to a contact (records of `contacts`, with its tags).'),
  webhookTrigger('message.received', 'message', 'A contact texted in (records of `conversation.messages`).'),
  webhookTrigger('message.sent', 'message', 'A message was sent to a contact (records of `conversation.messages`).'),
];
