import { createFaultInjector, mulberry32, type FaultInjector, type JsonRecord, type Random } from '@ferry/core';
import { SCOPES } from '../api-table.js';
import { AccountLimit } from './account-limit.js';
import { ContactStore } from './contact-store.js';
import type { StoredContact, StoredConversation, StoredMessage, StoredTag, StoredTeam } from './model.js';
import { FIRST_CONTACT_ID, seedWorld } from './seed-data.js';
import { ALL_SCOPES, SANDBOX_ACCOUNT_ID, SANDBOX_TOKENS, type SalesmsgSandboxSettings } from './settings.js';
import { TokenRegistry } from './token-registry.js';
import { contactView, conversationView, messageView, tagView, teamView } from './views.js';
import { WebhookOutbox, type WebhookEventName } from './webhook-outbox.js';

/** Everything one sandbox instance holds: the account's data, credentials, limits, counters and webhooks. */
export class SandboxWorld {
  readonly contacts = new ContactStore();
  readonly tags = new Map<number, StoredTag>();
  readonly teams: readonly StoredTeam[];
  readonly conversations = new Map<number, StoredConversation>();
  /** Messages per conversation, in id order. */
  readonly messages = new Map<number, StoredMessage[]>();
  readonly tokens: TokenRegistry;
  readonly faults: FaultInjector;
  readonly limit: AccountLimit;
  readonly outbox: WebhookOutbox;
  readonly random: Random;
  readonly counters = { requests: 0, byOperation: {} as Record<string, number>, byStatus: {} as Record<string, number>, rateLimited: 0 };
  private clockOffset = 0;
  private nextContactId: number;
  private nextTagId: number;
  private nextMessageId: number;
  private nextConversationId: number;

  constructor(readonly settings: SalesmsgSandboxSettings) {
    this.random = mulberry32((settings.seed ^ 0x5bd1e995) >>> 0);
    this.faults = createFaultInjector(settings.faults, mulberry32((settings.seed ^ 0x2545f491) >>> 0));
    this.tokens = new TokenRegistry(mulberry32((settings.seed ^ 0x68e31da4) >>> 0), settings.accessTokenTtlMs);
    this.limit = new AccountLimit(settings.timeScale, settings.rateWindowMode, () => this.now());
    this.outbox = new WebhookOutbox(settings.webhookUrls, settings.deliveryIdHeader);
    const seeded = seedWorld(settings.seed, settings.size);
    for (const contact of seeded.contacts) this.contacts.insert(contact);
    for (const tag of seeded.tags) this.tags.set(tag.id, tag);
    this.teams = seeded.teams;
    for (const conversation of seeded.conversations) this.conversations.set(conversation.id, conversation);
    for (const message of seeded.messages) {
      const list = this.messages.get(message.conversationId) ?? [];
      list.push(message);
      this.messages.set(message.conversationId, list);
    }
    this.nextContactId = FIRST_CONTACT_ID + seeded.contacts.length;
    this.nextTagId = seeded.tags.length + 1;
    this.nextMessageId = 700_001 + seeded.messages.length;
    this.nextConversationId = 300_001 + seeded.conversations.length;
    if (settings.defaultTokens) {
      this.tokens.addPersonalToken(SANDBOX_TOKENS.full, ALL_SCOPES);
      this.tokens.addPersonalToken(SANDBOX_TOKENS.readOnly, SCOPES.read);
      this.tokens.addPersonalToken(SANDBOX_TOKENS.legacy, [SCOPES.legacy]);
    }
    for (const { token, scopes } of settings.tokens) this.tokens.addPersonalToken(token, scopes);
  }

  now(): number {
    return this.settings.clock() + this.clockOffset;
  }

  /** The API's timestamps have whole seconds. */
  nowSecond(): number {
    return Math.floor(this.now() / 1000) * 1000;
  }

  advanceClock(ms: number): void {
    this.clockOffset += ms;
  }

  contactJson(contact: StoredContact): JsonRecord {
    return contactView(contact, this.tags);
  }

  /** Sends `event` about `contact` to every registered URL (after the API call that caused it has answered). */
  notify(event: WebhookEventName, contact: StoredContact, more: JsonRecord = {}): void {
    if (this.outbox.urls.length === 0) return;
    this.outbox.enqueue(event, { contact: this.contactJson(contact), ...more });
  }

  createContact(fields: Omit<StoredContact, 'id' | 'createdMs' | 'updatedMs' | 'tagIds' | 'notes' | 'custom_fields' | 'optOutMs' | 'optInMs' | 'is_blocked' | 'opt_out'>): StoredContact {
    const at = this.nowSecond();
    const contact: StoredContact = {
      ...fields,
      id: this.nextContactId,
      createdMs: at,
      updatedMs: at,
      is_blocked: false,
      opt_out: false,
      optOutMs: null,
      optInMs: null,
      tagIds: [],
      notes: [],
      custom_fields: [],
    };
    this.nextContactId += 1;
    this.contacts.insert(contact);
    this.notify('contact.created', contact);
    return contact;
  }

  /** Changes a contact and stamps updated_at (and tells the webhooks). */
  touch(contact: StoredContact, mutate: (contact: StoredContact) => void, event: WebhookEventName = 'contact.updated', more: JsonRecord = {}): void {
    this.contacts.change(contact, (c) => {
      mutate(c);
      c.updatedMs = this.nowSecond();
    });
    this.notify(event, contact, more);
    if (event !== 'contact.updated') this.notify('contact.updated', contact);
  }

  deleteContact(contact: StoredContact): void {
    this.contacts.delete(contact);
    for (const [id, conversation] of this.conversations) {
      if (conversation.contactId === contact.id) {
        this.conversations.delete(id);
        this.messages.delete(id);
      }
    }
  }

  tagByLabel(label: string): StoredTag | undefined {
    const wanted = label.trim().toLowerCase();
    for (const tag of this.tags.values()) if (tag.label.toLowerCase() === wanted) return tag;
    return undefined;
  }

  createTag(label: string): StoredTag {
    const tag: StoredTag = { id: this.nextTagId, name: label, label, createdMs: this.nowSecond() };
    this.nextTagId += 1;
    this.tags.set(tag.id, tag);
    return tag;
  }

  /** A message in the contact's conversation (opened if there is none), with its webhook. */
  addMessage(contact: StoredContact, body: string, direction: 'inbound' | 'outbound'): StoredMessage {
    const at = this.nowSecond();
    let conversation = [...this.conversations.values()].find((c) => c.contactId === contact.id);
    if (conversation === undefined) {
      conversation = {
        id: this.nextConversationId,
        contactId: contact.id,
        teamId: this.teams[0]?.id ?? 71,
        isOpen: true,
        unreadCount: 0,
        lastMessageMs: at,
        createdMs: at,
        updatedMs: at,
      };
      this.nextConversationId += 1;
      this.conversations.set(conversation.id, conversation);
    }
    const message: StoredMessage = {
      id: this.nextMessageId,
      conversationId: conversation.id,
      contactId: contact.id,
      body,
      direction,
      status: direction === 'inbound' ? 'received' : 'sent',
      userId: direction === 'inbound' ? null : 501,
      createdMs: at,
    };
    this.nextMessageId += 1;
    const list = this.messages.get(conversation.id) ?? [];
    list.push(message);
    this.messages.set(conversation.id, list);
    conversation.lastMessageMs = at;
    conversation.updatedMs = at;
    conversation.isOpen = true;
    if (direction === 'inbound') conversation.unreadCount += 1;
    if (this.outbox.urls.length > 0) {
      const team = this.teams.find((t) => t.id === conversation.teamId);
      this.outbox.enqueue(direction === 'inbound' ? 'message.received' : 'message.sent', {
        contact: this.contactJson(contact),
        message: messageView(message),
        conversation: conversationView(conversation, contact),
        ...(team === undefined ? {} : { inbox: teamView(team), number: team.number }),
      });
    }
    return message;
  }

  /**
   * The `data` of a delivery about a contact (contact.* events) or a message (message.* events: the message id, or
   * the contact's latest message), or a sentence saying what is missing.
   */
  webhookData(event: WebhookEventName, ids: { readonly contactId?: number; readonly messageId?: number }): JsonRecord | string {
    if (event.startsWith('message.')) {
      const all = [...this.messages.values()].flat();
      const message =
        ids.messageId !== undefined
          ? all.find((m) => m.id === ids.messageId)
          : all.filter((m) => m.contactId === ids.contactId && (m.direction === 'inbound') === (event === 'message.received')).at(-1);
      if (message === undefined) return `no message ${ids.messageId ?? `of contact ${ids.contactId ?? '(none)'}`} for ${event}`;
      const contact = this.contacts.get(message.contactId);
      const conversation = this.conversations.get(message.conversationId);
      const team = this.teams.find((t) => t.id === conversation?.teamId);
      return {
        ...(contact === undefined ? {} : { contact: this.contactJson(contact) }),
        message: messageView(message),
        ...(conversation === undefined ? {} : { conversation: conversationView(conversation, contact) }),
        ...(team === undefined ? {} : { inbox: teamView(team), number: team.number }),
      };
    }
    const contact = ids.contactId === undefined ? undefined : this.contacts.get(ids.contactId);
    if (contact === undefined) return `no contact ${ids.contactId ?? '(none)'} for ${event}`;
    const lastTag = this.tags.get(contact.tagIds.at(-1) ?? -1);
    return {
      contact: this.contactJson(contact),
      ...(event === 'contact.tag_added' && lastTag !== undefined ? { tag: tagView(lastTag) } : {}),
    };
  }

  stats(): JsonRecord {
    return {
      requests: this.counters.requests,
      byOperation: { ...this.counters.byOperation },
      byStatus: { ...this.counters.byStatus },
      rateLimited: this.counters.rateLimited,
      faults: { ...this.faults.counts() },
      account: { id: SANDBOX_ACCOUNT_ID, ...this.limit.stats() },
      oauth: { ...this.tokens.grants },
      webhooks: this.outbox.stats(),
    };
  }

  snapshot(): JsonRecord {
    const snapshot = {
      now: new Date(this.now()).toISOString(),
      account: { id: SANDBOX_ACCOUNT_ID },
      contacts: this.contacts.inIdOrder().map((c) => this.contactJson(c)),
      tags: [...this.tags.values()].map(tagView),
      teams: this.teams.map(teamView),
      conversations: [...this.conversations.values()].map((c) => conversationView(c, this.contacts.get(c.contactId))),
      messages: [...this.messages.values()].flatMap((list) => list.map(messageView)),
      tokens: this.tokens.snapshot(this.now()),
      webhooks: this.outbox.snapshot(),
    };
    return JSON.parse(JSON.stringify(snapshot)) as JsonRecord;
  }
}
