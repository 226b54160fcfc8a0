import { defineStream } from '@ferry/core';
import { salesmsgApi } from '../client/salesmsg-api.js';
import { settingsOf } from '../connection-settings.js';
import { messageSchema, type MessageRecord } from '../records/message.js';
import { pagesFrom } from './page-state.js';
import { idParam, idParamSchema } from './stream-params.js';

/** The messages of one conversation (GET /messages/{conversationId}/paginated); a child of `conversations`. */
export const conversationMessagesStream = defineStream<MessageRecord>({
  name: 'conversation.messages',
  description: 'Messages of a conversation (GET /messages/{conversationId}/paginated). Param: conversationId (from conversations.id).',
  schema: messageSchema,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: 'messages:read',
  params: { type: 'object', additionalProperties: false, required: ['conversationId'], properties: { conversationId: idParamSchema } },
  parent: { stream: 'conversations', param: 'conversationId', from: 'id' },
  read(ctx, request) {
    const conversationId = idParam(request.params, 'conversationId');
    const { pageSize } = settingsOf(ctx.config);
    const api = salesmsgApi(ctx.http);
    return pagesFrom(request.state, { conversationId }, (page) => api.listMessages(conversationId, { page, pageSize }, ctx.signal), pageSize);
  },
});
