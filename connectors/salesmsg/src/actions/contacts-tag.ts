import { defineAction, FerryError, type ActionDef, type ActionRequest, type JsonRecord } from '@ferry/core';
import { operation } from '../api-table.js';
import { salesmsgApi } from '../client/salesmsg-api.js';
import { contactIdProperty, targetContactId } from './contact-target.js';
import { resolveTagId } from './tag-resolver.js';

const labels = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100 }, uniqueItems: true } as const;

/** The labels of a request: `with: {tags}` first, then the mapped `tags` (a list or one label). */
function labelsOf(request: ActionRequest<JsonRecord>): string[] {
  const collected = new Map<string, string>();
  for (const source of [request.options['tags'], request.input['tags']]) {
    const list: unknown[] = Array.isArray(source) ? source : source === undefined || source === null ? [] : [source];
    for (const value of list) {
      if (typeof value === 'string' && value.trim() !== '') collected.set(value.trim().toLowerCase(), value.trim());
    }
  }
  if (collected.size === 0) {
    throw new FerryError('SALESMSG_NO_TAGS', 'no tag labels to apply', {
      hint: 'name the tags with `with: { tags: [label, …] }` on the step, or map `tags` to a label or a list of labels',
    });
  }
  return [...collected.values()];
}

/** contacts.tag / contacts.untag: tags by label (resolved to ids; contacts.tag creates missing tags). */
function tagAction(attach: boolean): ActionDef {
  const op = operation(attach ? 'contacts.tag' : 'contacts.untag');
  return defineAction<JsonRecord>({
    name: attach ? 'contacts.tag' : 'contacts.untag',
    description: attach
      ? 'Tag a contact by label (PUT /tags/contact/{contactId}/{tagId}): the tag id is looked up with GET /tags?search= and the tag created (POST /tags?label=) when missing, once per run. Labels: with.tags and/or the mapped tags.'
      : 'Remove tags by label (DELETE /tags/contact/{contactId}/{tagId}); a label with no tag is skipped. Labels: with.tags and/or the mapped tags.',
    input: {
      type: 'object',
      properties: { id: contactIdProperty, tags: { anyOf: [labels, { type: 'string', minLength: 1 }] } },
    },
    options: { type: 'object', additionalProperties: false, properties: { tags: labels } },
    scope: 'tags:write',
    idempotence: 'idempotent',
    http: { method: op.method, path: op.path },

    async run(ctx, request) {
      const contactId = targetContactId(request);
      const api = salesmsgApi(ctx.http);
      const applied: string[] = [];
      for (const label of labelsOf(request)) {
        const tagId = await resolveTagId(ctx, label, attach);
        if (tagId === undefined) continue;
        if (attach) await api.tagContact(contactId, tagId, ctx.signal);
        else await api.untagContact(contactId, tagId, ctx.signal);
        applied.push(label);
      }
      return { outcome: applied.length === 0 ? 'unchanged' : 'updated', id: String(contactId), record: { id: contactId, tags: applied } };
    },

    async find(ctx, request) {
      return salesmsgApi(ctx.http).getContact(targetContactId(request), ctx.signal);
    },
  });
}

export const contactsTag = tagAction(true);
export const contactsUntag = tagAction(false);
