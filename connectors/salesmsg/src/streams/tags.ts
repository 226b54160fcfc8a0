import { defineStream } from '@ferry/core';
import { salesmsgApi } from '../client/salesmsg-api.js';
import { settingsOf } from '../connection-settings.js';
import { tagSchema, type TagRecord } from '../records/tag.js';
import { pagesFrom } from './page-state.js';

/** Every tag of the account (GET /tags), by page. */
export const tagsStream = defineStream<TagRecord>({
  name: 'tags',
  description: 'Tags of the account (GET /tags): id, name, label.',
  schema: tagSchema,
  primaryKey: 'id',
  syncModes: ['full'],
  scope: 'tags:read',
  read(ctx, request) {
    const { pageSize } = settingsOf(ctx.config);
    const api = salesmsgApi(ctx.http);
    return pagesFrom(request.state, {}, (page) => api.listTags({ page, pageSize }, ctx.signal), pageSize);
  },
});
