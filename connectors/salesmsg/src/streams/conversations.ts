import { defineStream } from '@ferry/core';
import { salesmsgApi } from '../client/salesmsg-api.js';
import { settingsOf } from '../connection-settings.js';
import { conversationSchema, type ConversationRecord } from '../records/conversation.js';
import { stringParam } from './stream-params.js';

const FILTERS = ['open', 'closed', 'all'] as const;

/**
 * Conversations (GET /conversations, offset paging over a bare array). The API orders them by recent activity,
 * so a conversation active during the read can move; ids already read in the pass are skipped.
 */
export const conversationsStream = defineStream<ConversationRecord>({
  name: 'conversations',
  description: "Conversations (GET /conversations), most recent activity first. Param: filter ('open' by default, 'closed', 'all').",
  schema: conversationSchema,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: 'conversations:read',
  params: { type: 'object', additionalProperties: false, properties: { filter: { enum: [...FILTERS] } } },
  async *read(ctx, request) {
    const { pageSize } = settingsOf(ctx.config);
    const filter = stringParam(request.params, 'filter') ?? 'open';
    const api = salesmsgApi(ctx.http);
    const resumeAt = request.state?.['filter'] === filter && typeof request.state['offset'] === 'number' ? request.state['offset'] : 0;
    const seen = new Set<number>();
    for (let offset = resumeAt; ; offset += pageSize) {
      const batch = await api.listConversations({ offset, limit: pageSize, filter }, ctx.signal);
      const fresh = batch.filter((c) => !seen.has(c.id));
      for (const c of fresh) seen.add(c.id);
      yield { records: fresh, state: { filter, offset: offset + batch.length } };
      if (batch.length < pageSize) return;
    }
  },
});
