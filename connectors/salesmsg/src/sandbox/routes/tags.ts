import type { Call, Endpoint } from '../endpoint.js';
import type { StoredTag } from '../model.js';
import { integerParam, paginate } from '../paginate.js';
import { fail, NOT_FOUND, ok, validationReply } from '../replies.js';
import { tagView } from '../views.js';
import { pathContact } from './contacts.js';

function pathTag(call: Call): StoredTag {
  const raw = call.params['tagId'] ?? '';
  const tag = /^\d+$/.test(raw) ? call.world.tags.get(Number(raw)) : undefined;
  return tag ?? fail(NOT_FOUND);
}

/** GET /tags?search=&page=&limit=: tags whose label contains the search, by id. */
const list: Endpoint = {
  operation: 'tags.list',
  handle(call) {
    const search = (call.query.get('search') ?? '').trim().toLowerCase();
    const tags = [...call.world.tags.values()].filter((tag) => search === '' || tag.label.toLowerCase().includes(search));
    return ok(
      paginate(
        tags,
        {
          page: integerParam(call.query.get('page') ?? undefined, 'page', 1),
          perPage: integerParam(call.query.get('limit') ?? undefined, 'limit', 50, 1),
          maxPerPage: call.world.settings.maxPageSize,
          path: call.url.pathname,
        },
        tagView,
      ),
    );
  },
};

/** POST /tags?label=: labels are unique (case-insensitively), as a unique validation rule makes them. */
const create: Endpoint = {
  operation: 'tags.create',
  handle(call) {
    const label = (call.query.get('label') ?? '').trim();
    if (label === '') fail(validationReply({ label: ['The label field is required.'] }));
    if (label.length > 100) fail(validationReply({ label: ['The label may not be greater than 100 characters.'] }));
    if (call.world.tagByLabel(label) !== undefined) fail(validationReply({ label: ['The label has already been taken.'] }));
    return ok(tagView(call.world.createTag(label)), 201);
  },
};

const attach: Endpoint = {
  operation: 'contacts.tag',
  handle(call) {
    const contact = pathContact(call, 'contactId');
    const tag = pathTag(call);
    if (!contact.tagIds.includes(tag.id)) {
      call.world.touch(contact, (c) => c.tagIds.push(tag.id), 'contact.tag_added', { tag: tagView(tag) });
    }
    return ok({ message: 'Tag attached.' });
  },
};

const detach: Endpoint = {
  operation: 'contacts.untag',
  handle(call) {
    const contact = pathContact(call, 'contactId');
    const tag = pathTag(call);
    if (contact.tagIds.includes(tag.id)) {
      call.world.touch(contact, (c) => {
        c.tagIds = c.tagIds.filter((id) => id !== tag.id);
      });
    }
    return ok({ message: 'Tag detached.' });
  },
};

export const tagEndpoints: readonly Endpoint[] = [list, create, attach, detach];
