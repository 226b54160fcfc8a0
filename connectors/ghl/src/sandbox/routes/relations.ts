import { appointmentView } from '../contact-views.js';
import { normalizeTags } from '../contact-input.js';
import type { Endpoint } from '../endpoint.js';
import type { StoredContact } from '../model.js';
import { fail, ok } from '../replies.js';
import { bodyOf, isoDateTime, namedLocation, pathContact } from './lookups.js';

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Tags, followers, campaigns, workflows and appointments of one contact, plus the two bulk operations. */
export const relationEndpoints: readonly Endpoint[] = [
  {
    operationId: 'add-tags',
    handle(call) {
      const { location, contact } = pathContact(call);
      const added = normalizeTags(strings(bodyOf(call)['tags']));
      const changed = location.changeContact(contact, call.now, (c) => {
        c.tags = normalizeTags([...c.tags, ...added]);
      });
      return ok({ tags: [...changed.tags] }, 201);
    },
  },
  {
    operationId: 'remove-tags',
    handle(call) {
      const { location, contact } = pathContact(call);
      const removed = new Set(normalizeTags(strings(bodyOf(call)['tags'])));
      const changed = location.changeContact(contact, call.now, (c) => {
        c.tags = c.tags.filter((t) => !removed.has(t));
      });
      return ok({ tags: [...changed.tags] });
    },
  },
  {
    operationId: 'add-followers-contact',
    handle(call) {
      const { location, contact } = pathContact(call);
      const wanted = [...new Set(strings(bodyOf(call)['followers']))];
      const added = wanted.filter((f) => !contact.followers.includes(f));
      const changed = location.changeContact(contact, call.now, (c) => {
        c.followers = [...c.followers, ...added];
      });
      return ok({ followers: [...changed.followers], followersAdded: added }, 201);
    },
  },
  {
    operationId: 'remove-followers-contact',
    handle(call) {
      const { location, contact } = pathContact(call);
      const unwanted = new Set(strings(bodyOf(call)['followers']));
      const removed = contact.followers.filter((f) => unwanted.has(f));
      const changed = location.changeContact(contact, call.now, (c) => {
        c.followers = c.followers.filter((f) => !unwanted.has(f));
      });
      return ok({ followers: [...changed.followers], followersRemoved: removed });
    },
  },
  {
    operationId: 'add-contact-to-campaign',
    handle(call) {
      const { location, contact } = pathContact(call);
      location.enrollmentsOf(contact.id).campaigns.add(call.params['campaignId'] ?? '');
      return ok({ succeded: true }, 201);
    },
  },
  {
    operationId: 'remove-contact-from-every-campaign',
    handle(call) {
      const { location, contact } = pathContact(call);
      location.enrollmentsOf(contact.id).campaigns.clear();
      return ok({ succeded: true });
    },
  },
  {
    operationId: 'remove-contact-from-campaign',
    handle(call) {
      const { location, contact } = pathContact(call);
      location.enrollmentsOf(contact.id).campaigns.delete(call.params['campaignId'] ?? '');
      return ok({ succeded: true });
    },
  },
  {
    operationId: 'add-contact-to-workflow',
    handle(call) {
      const { location, contact } = pathContact(call);
      const start = bodyOf(call)['eventStartTime'];
      if (start !== undefined && isoDateTime(start) === undefined) fail(422, ['eventStartTime must be a valid ISO 8601 date string']);
      location.enrollmentsOf(contact.id).workflows.add(call.params['workflowId'] ?? '');
      return ok({ succeded: true });
    },
  },
  {
    operationId: 'delete-contact-from-workflow',
    handle(call) {
      const { location, contact } = pathContact(call);
      location.enrollmentsOf(contact.id).workflows.delete(call.params['workflowId'] ?? '');
      return ok({ succeded: true });
    },
  },
  {
    operationId: 'get-appointments-for-contact',
    handle(call) {
      const { location, contact } = pathContact(call);
      const events = [...(location.appointments.get(contact.id) ?? [])].sort((a, b) => (a.startTime < b.startTime ? -1 : 1));
      return ok({ events: events.map(appointmentView) });
    },
  },
  {
    operationId: 'create-association',
    handle(call) {
      const type = call.params['type'];
      if (type !== 'add' && type !== 'remove') fail(422, ['type must be one of the following values: add, remove']);
      const input = bodyOf(call);
      const location = namedLocation(call, input['locationId'], 'body');
      const tags = normalizeTags(strings(input['tags']));
      const removeAll = input['removeAllTags'] === true;
      const responses: string[] = [];
      let errorCount = 0;
      for (const id of strings(input['contacts'])) {
        const contact = location.contacts.get(id);
        if (contact === undefined) {
          errorCount += 1;
          responses.push(`${id}: Contact not found`);
          continue;
        }
        const changed = location.changeContact(contact, call.now, (c) => {
          if (type === 'add') c.tags = normalizeTags([...c.tags, ...tags]);
          else c.tags = removeAll ? [] : c.tags.filter((t) => !tags.includes(t));
        });
        responses.push(`${id}: ${changed.tags.join(',')}`);
      }
      return ok({ succeded: errorCount === 0, errorCount, responses }, 201);
    },
  },
  {
    operationId: 'add-remove-contact-from-business',
    handle(call) {
      const input = bodyOf(call);
      const location = namedLocation(call, input['locationId'], 'body');
      const businessId = typeof input['businessId'] === 'string' && input['businessId'] !== '' ? input['businessId'] : undefined;
      const updated: string[] = [];
      for (const id of strings(input['ids'])) {
        const contact: StoredContact | undefined = location.contacts.get(id);
        if (contact === undefined) continue;
        location.changeContact(contact, call.now, (c) => {
          c.businessId = businessId;
        });
        updated.push(id);
      }
      return ok({ success: true, ids: updated });
    },
  },
];
