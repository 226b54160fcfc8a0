import { defineConnector } from '@ferry/core';
import { contactsCreate } from './actions/contacts-create.js';
import { contactsDelete } from './actions/contacts-delete.js';
import { contactsOptIn, contactsOptOut } from './actions/contacts-consent.js';
import { contactsTag, contactsUntag } from './actions/contacts-tag.js';
import { contactsUpdate } from './actions/contacts-update.js';
import { authKinds, scopes } from './auth.js';
import { createSalesmsgClient } from './client/create-client.js';
import { configSchema } from './connection-settings.js';
import { httpProfile, limits } from './http-profile.js';
import { contactStream } from './streams/contact.js';
import { contactsStream } from './streams/contacts.js';
import { contactsSearchStream } from './streams/contacts-search.js';
import { conversationMessagesStream } from './streams/conversation-messages.js';
import { conversationsStream } from './streams/conversations.js';
import { tagsStream } from './streams/tags.js';
import { webhookTriggers } from './triggers/webhook-triggers.js';

/** The Salesmsg connector: contacts, tags, conversations and messages of one account, and its webhooks. */
export const salesmsg = defineConnector({
  name: 'salesmsg',
  version: '0.1.0',
  description: 'Salesmsg (Salesmessage) public API v2.3: contacts, tags, conversations and messages; webhooks for contact and message events.',
  configSchema,
  auth: authKinds,
  scopes,
  limits,
  http: httpProfile,
  streams: [contactsStream, contactStream, contactsSearchStream, tagsStream, conversationsStream, conversationMessagesStream],
  actions: [contactsCreate, contactsUpdate, contactsDelete, contactsOptOut, contactsOptIn, contactsTag, contactsUntag],
  triggers: webhookTriggers,
  // Loaded only when served: the simulator and msw stay out of every other command.
  sandbox: () => import('./sandbox/salesmsg-sandbox.js').then((m) => m.salesmsgSandbox),
  /** The API as typed methods, without pipelines: `salesmsg.client({ token })`. */
  client: createSalesmsgClient,
});
