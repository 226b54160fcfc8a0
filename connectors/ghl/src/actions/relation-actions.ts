import { defineAction, FerryError, type ActionDef, type ActionRequest, type ConnectorContext, type JsonSchema } from '@ferry/core';
import type { GhlClient } from '../client/ghl-client.js';
import { clientOf } from '../config.js';
import { WRITE_SCOPE } from '../spec/operations.js';
import { apiDateTime, CONTACT_ID, contactIdOf, inputOrOption, mergedList, STRING_LIST } from './action-inputs.js';
import { httpOf } from './operation-http.js';

function objectSchema(properties: Record<string, JsonSchema>, description?: string): JsonSchema {
  return { type: 'object', additionalProperties: false, properties, ...(description === undefined ? {} : { description }) };
}

function needed(value: string | undefined, field: string): string {
  if (value !== undefined) return value;
  throw new FerryError('GHL_INPUT_MISSING', `this action needs ${field}`, { hint: `map ${field} in the step, or set it under with: (with: { ${field}: ... })` });
}

/** An action over one contact's list (tags, followers): values from the input and from `with:`, merged. */
function listAction(spec: {
  name: string;
  description: string;
  operationId: string;
  field: 'tags' | 'followers';
  apply: (client: GhlClient, contactId: string, values: string[]) => Promise<string[]>;
}): ActionDef {
  return defineAction({
    name: spec.name,
    description: spec.description,
    input: objectSchema({ contactId: CONTACT_ID, [spec.field]: STRING_LIST }),
    options: objectSchema({ [spec.field]: STRING_LIST }, `${spec.field} applied to every record, on top of the mapped ones`),
    scope: WRITE_SCOPE,
    idempotence: 'idempotent',
    http: httpOf(spec.operationId),
    async run(ctx: ConnectorContext, request: ActionRequest) {
      const contactId = contactIdOf(request, { useLink: true });
      const values = mergedList(request, spec.field);
      if (values.length === 0) return { outcome: 'skipped', id: contactId };
      const now = await spec.apply(clientOf(ctx), contactId, values);
      return { outcome: 'updated', id: contactId, record: { id: contactId, [spec.field]: now } };
    },
  });
}

export const addTagsAction = listAction({
  name: 'contacts.tags.add',
  description: "Add tags to a contact (POST /contacts/{contactId}/tags); its other tags stay",
  operationId: 'add-tags',
  field: 'tags',
  apply: (client, id, tags) => client.addTags(id, tags),
});

export const removeTagsAction = listAction({
  name: 'contacts.tags.remove',
  description: 'Remove tags from a contact (DELETE /contacts/{contactId}/tags)',
  operationId: 'remove-tags',
  field: 'tags',
  apply: (client, id, tags) => client.removeTags(id, tags),
});

export const addFollowersAction = listAction({
  name: 'contacts.followers.add',
  description: 'Add followers (user ids) to a contact (POST /contacts/{contactId}/followers)',
  operationId: 'add-followers-contact',
  field: 'followers',
  apply: async (client, id, followers) => (await client.addFollowers(id, followers)).followers,
});

export const removeFollowersAction = listAction({
  name: 'contacts.followers.remove',
  description: 'Remove followers from a contact (DELETE /contacts/{contactId}/followers)',
  operationId: 'remove-followers-contact',
  field: 'followers',
  apply: async (client, id, followers) => (await client.removeFollowers(id, followers)).followers,
});

const MEMBERSHIP_ID: JsonSchema = { type: 'string', minLength: 1 };

/** An action that enrols a contact in, or takes it out of, one campaign or workflow named by id (input or `with:`). */
function membershipAction(spec: {
  name: string;
  description: string;
  operationId: string;
  idField: 'campaignId' | 'workflowId';
  idempotence: ActionDef['idempotence'];
  extraInput?: Record<string, JsonSchema>;
  apply: (client: GhlClient, contactId: string, targetId: string, request: ActionRequest) => Promise<unknown>;
}): ActionDef {
  return defineAction({
    name: spec.name,
    description: spec.description,
    input: objectSchema({ contactId: CONTACT_ID, [spec.idField]: MEMBERSHIP_ID, ...spec.extraInput }),
    options: objectSchema({ [spec.idField]: MEMBERSHIP_ID }),
    scope: WRITE_SCOPE,
    idempotence: spec.idempotence,
    http: httpOf(spec.operationId),
    async run(ctx: ConnectorContext, request: ActionRequest) {
      const contactId = contactIdOf(request, { useLink: true });
      await spec.apply(clientOf(ctx), contactId, needed(inputOrOption(request, spec.idField), spec.idField), request);
      return { outcome: 'updated', id: contactId };
    },
  });
}

export const addToCampaignAction = membershipAction({
  name: 'contacts.campaigns.add',
  description: 'Add a contact to a campaign (POST /contacts/{contactId}/campaigns/{campaignId})',
  operationId: 'add-contact-to-campaign',
  idField: 'campaignId',
  idempotence: 'idempotent',
  apply: (client, contactId, campaignId) => client.addToCampaign(contactId, campaignId),
});

export const removeFromCampaignAction = membershipAction({
  name: 'contacts.campaigns.remove',
  description: 'Remove a contact from a campaign (DELETE /contacts/{contactId}/campaigns/{campaignId})',
  operationId: 'remove-contact-from-campaign',
  idField: 'campaignId',
  idempotence: 'idempotent',
  apply: (client, contactId, campaignId) => client.removeFromCampaign(contactId, campaignId),
});

export const removeFromAllCampaignsAction = defineAction({
  name: 'contacts.campaigns.removeAll',
  description: 'Remove a contact from every campaign (DELETE /contacts/{contactId}/campaigns/removeAll)',
  input: objectSchema({ contactId: CONTACT_ID }),
  scope: WRITE_SCOPE,
  idempotence: 'idempotent',
  http: httpOf('remove-contact-from-every-campaign'),
  async run(ctx, request) {
    const contactId = contactIdOf(request, { useLink: true });
    await clientOf(ctx).removeFromAllCampaigns(contactId);
    return { outcome: 'updated', id: contactId };
  },
});

export const addToWorkflowAction = membershipAction({
  name: 'contacts.workflows.add',
  description: 'Add a contact to a workflow (POST /contacts/{contactId}/workflow/{workflowId}); a replay may enrol it again',
  operationId: 'add-contact-to-workflow',
  idField: 'workflowId',
  idempotence: 'none',
  extraInput: { eventStartTime: { type: 'string', description: 'ISO 8601' } },
  apply(client, contactId, workflowId, request) {
    const start = request.input['eventStartTime'];
    return client.addToWorkflow(contactId, workflowId, start === undefined ? undefined : apiDateTime(start, 'eventStartTime'));
  },
});

export const removeFromWorkflowAction = membershipAction({
  name: 'contacts.workflows.remove',
  description: 'Remove a contact from a workflow (DELETE /contacts/{contactId}/workflow/{workflowId})',
  operationId: 'delete-contact-from-workflow',
  idField: 'workflowId',
  idempotence: 'idempotent',
  apply: (client, contactId, workflowId) => client.removeFromWorkflow(contactId, workflowId),
});

const BULK_TYPE: JsonSchema = { type: 'string', enum: ['add', 'remove'] };

/** Contacts of a bulk call: the input's list, else the contact the previous step wrote. */
function bulkContacts(request: ActionRequest, field: string): string[] {
  const listed = mergedList(request, field);
  if (listed.length > 0) return listed;
  return [contactIdOf(request, { useLink: true })];
}

export const bulkTagsAction = defineAction({
  name: 'contacts.bulk.tags',
  description: 'Add or remove tags on many contacts at once (POST /contacts/bulk/tags/update/{type})',
  input: objectSchema({ contacts: STRING_LIST, tags: STRING_LIST, type: BULK_TYPE, removeAllTags: { type: 'boolean' } }),
  options: objectSchema({ type: BULK_TYPE, tags: STRING_LIST }),
  scope: WRITE_SCOPE,
  idempotence: 'idempotent',
  http: httpOf('create-association'),
  async run(ctx, request) {
    const type = inputOrOption(request, 'type') ?? 'add';
    if (type !== 'add' && type !== 'remove') throw new FerryError('GHL_INPUT_INVALID', `bulk tag type '${type}' is not add or remove`, { hint: 'set type: add or type: remove' });
    const contacts = bulkContacts(request, 'contacts');
    const removeAll = request.input['removeAllTags'] === true;
    const outcome = await clientOf(ctx).bulkUpdateTags(type, contacts, mergedList(request, 'tags'), removeAll ? true : undefined);
    if (outcome.errorCount > 0) {
      throw new FerryError('GHL_BULK_PARTIAL', `GHL could not update the tags of ${outcome.errorCount} of ${contacts.length} contacts`, {
        hint: 'some contact ids do not exist in this location',
        details: { responses: outcome.responses.slice(0, 20) },
      });
    }
    return { outcome: 'updated', ...(contacts.length === 1 && contacts[0] !== undefined ? { id: contacts[0] } : {}), record: { contacts, type } };
  },
});

const BUSINESS_ID: JsonSchema = { type: ['string', 'null'], description: 'The business; null removes the contacts from theirs' };

export const bulkBusinessAction = defineAction({
  name: 'contacts.bulk.business',
  description: 'Add contacts to a business, or remove them with businessId null (POST /contacts/bulk/business)',
  input: objectSchema({ ids: STRING_LIST, businessId: BUSINESS_ID }),
  options: objectSchema({ businessId: BUSINESS_ID }),
  scope: WRITE_SCOPE,
  idempotence: 'idempotent',
  http: httpOf('add-remove-contact-from-business'),
  async run(ctx, request) {
    const ids = bulkContacts(request, 'ids');
    const raw = 'businessId' in request.input ? request.input['businessId'] : request.options['businessId'];
    if (raw === undefined) throw new FerryError('GHL_INPUT_MISSING', 'this action needs businessId (null to remove)', { hint: 'map businessId, or set with: { businessId: ... }' });
    if (raw !== null && typeof raw !== 'string') throw new FerryError('GHL_INPUT_INVALID', 'businessId must be a string, or null to remove', { hint: 'map businessId to the business id' });
    const businessId = raw;
    const updated = await clientOf(ctx).bulkSetBusiness(ids, businessId);
    return { outcome: 'updated', ...(ids.length === 1 && ids[0] !== undefined ? { id: ids[0] } : {}), record: { ids: updated, businessId } };
  },
});
