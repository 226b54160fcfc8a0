import type { Endpoint } from '../endpoint.js';
import { integerParam, paginate } from '../paginate.js';
import { fail, NOT_FOUND, ok, validationReply } from '../replies.js';
import { conversationView, messageView } from '../views.js';

const FILTERS = ['open', 'closed', 'all'] as const;

/** GET /conversations?filter=&limit=&offset=: a bare array, most recent activity first. */
const list: Endpoint = {
  operation: 'conversations.list',
  handle(call) {
    const filter = call.query.get('filter') ?? 'open';
    if (!(FILTERS as readonly string[]).includes(filter)) fail(validationReply({ filter: ['The selected filter is invalid.'] }));
    const limit = Math.min(call.world.settings.maxPageSize, integerParam(call.query.get('limit') ?? undefined, 'limit', 20, 1));
    const offset = integerParam(call.query.get('offset') ?? undefined, 'offset', 0);
    const conversations = [...call.world.conversations.values()]
      .filter((c) => filter === 'all' || c.isOpen === (filter === 'open'))
      .sort((a, b) => b.lastMessageMs - a.lastMessageMs || b.id - a.id);
    return ok(conversations.slice(offset, offset + limit).map((c) => conversationView(c, call.world.contacts.get(c.contactId))));
  },
};

const get: Endpoint = {
  operation: 'conversations.get',
  handle(call) {
    const raw = call.params['id'] ?? '';
    const conversation = /^\d+$/.test(raw) ? call.world.conversations.get(Number(raw)) : undefined;
    if (conversation === undefined) fail(NOT_FOUND);
    return ok(conversationView(conversation, call.world.contacts.get(conversation.contactId)));
  },
};

/** GET /messages/{conversationId}/paginated?page=&per_page=: oldest first. */
const messages: Endpoint = {
  operation: 'messages.list',
  handle(call) {
    const raw = call.params['conversationId'] ?? '';
    const id = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!call.world.conversations.has(id)) fail(NOT_FOUND);
    return ok(
      paginate(
        call.world.messages.get(id) ?? [],
        {
          page: integerParam(call.query.get('page') ?? undefined, 'page', 1),
          perPage: integerParam(call.query.get('per_page') ?? undefined, 'per_page', 20, 1),
          maxPerPage: call.world.settings.maxPageSize,
          path: call.url.pathname,
        },
        messageView,
      ),
    );
  },
};

export const conversationEndpoints: readonly Endpoint[] = [list, get, messages];
