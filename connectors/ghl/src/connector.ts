import { defineConnector } from '@ferry/core';
import { createContactAction, deleteContactAction, updateContactAction, upsertContactAction } from './actions/contact-actions.js';
import {
  addFollowersAction,
  addTagsAction,
  addToCampaignAction,
  addToWorkflowAction,
  bulkBusinessAction,
  bulkTagsAction,
  removeFollowersAction,
  removeFromAllCampaignsAction,
  removeFromCampaignAction,
  removeFromWorkflowAction,
  removeTagsAction,
} from './actions/relation-actions.js';
import {
  completeTaskAction,
  createNoteAction,
  createTaskAction,
  deleteNoteAction,
  deleteTaskAction,
  updateNoteAction,
  updateTaskAction,
} from './actions/task-note-actions.js';
import { configSchema, DEFAULT_AUTHORIZE_URL, DEFAULT_BASE_URL } from './config.js';
import { createGhlClient } from './create-client.js';
import { httpProfile, rateLimits } from './http-profile.js';
import { discoverLocations } from './partitions/discover-locations.js';
import { READ_SCOPE, WRITE_SCOPE } from './spec/operations.js';
import { businessContactsStream, contactStream, contactTagsStream, duplicateContactStream } from './streams/contact-streams.js';
import { contactsStream } from './streams/contacts-stream.js';
import { legacyContactsStream } from './streams/legacy-contacts-stream.js';
import {
  contactAppointmentsStream,
  contactNoteStream,
  contactNotesStream,
  contactTaskStream,
  contactTasksStream,
} from './streams/related-streams.js';
import { contactsPollTrigger, webhookEventType, webhookTriggers } from './triggers/webhook-triggers.js';

/** Access tokens are refreshed this long before they expire (they live a day). */
const REFRESH_SKEW_MS = 5 * 60_000;

/**
 * GoHighLevel (LeadConnector) API v2 — contacts and their tasks, notes, appointments, tags, followers,
 * campaigns and workflows: all 32 operations of the vendor's contacts spec, as streams (reads) and actions
 * (writes), with webhooks as triggers and a faithful sandbox.
 */
export const ghl = defineConnector({
  name: 'ghl',
  version: '0.1.0',
  description: 'GoHighLevel / LeadConnector contacts API v2 (contacts, tasks, notes, appointments, tags, webhooks)',
  configSchema,
  auth: [
    {
      kind: 'oauth2',
      authorizeUrl: DEFAULT_AUTHORIZE_URL,
      tokenUrl: `${DEFAULT_BASE_URL}/oauth/token`,
      scopeSeparator: ' ',
      accountFrom: (response) => (typeof response['locationId'] === 'string' ? response['locationId'] : undefined),
      extraTokenParams: { user_type: 'Location' },
      refreshSkewMs: REFRESH_SKEW_MS,
      // `partitions: discover`: an agency token lists the installed locations (oauth.readonly) and mints their
      // location tokens (oauth.write).
      forPartitions: {
        label: 'agency (Company) token',
        scopes: ['oauth.readonly', 'oauth.write'],
        extraTokenParams: { user_type: 'Company' },
        accountFrom: (response) => (typeof response['companyId'] === 'string' ? response['companyId'] : undefined),
      },
    },
    { kind: 'bearer', label: 'Private Integration Token' },
  ],
  scopes: { read: [READ_SCOPE], write: [WRITE_SCOPE] },
  limits: rateLimits,
  http: httpProfile,
  streams: [
    contactsStream,
    legacyContactsStream,
    contactStream,
    contactTagsStream,
    businessContactsStream,
    duplicateContactStream,
    contactTasksStream,
    contactTaskStream,
    contactNotesStream,
    contactNoteStream,
    contactAppointmentsStream,
  ],
  actions: [
    createContactAction,
    updateContactAction,
    upsertContactAction,
    deleteContactAction,
    addTagsAction,
    removeTagsAction,
    addFollowersAction,
    removeFollowersAction,
    addToCampaignAction,
    removeFromCampaignAction,
    removeFromAllCampaignsAction,
    addToWorkflowAction,
    removeFromWorkflowAction,
    bulkTagsAction,
    bulkBusinessAction,
    createTaskAction,
    updateTaskAction,
    completeTaskAction,
    deleteTaskAction,
    createNoteAction,
    updateNoteAction,
    deleteNoteAction,
  ],
  triggers: [...webhookTriggers, contactsPollTrigger],
  /** A GHL app posts every event to one URL: the delivery's `type` names its trigger. */
  webhookRoute: (delivery) => webhookEventType(delivery.rawBody),
  /** `partitions: discover`: an agency token's installed locations, each with a location token. */
  partitions: discoverLocations,
  /** A partition is a location: webhook events name it by their `locationId`. */
  partitionKey: (config) => (typeof config['locationId'] === 'string' && config['locationId'] !== '' ? config['locationId'] : undefined),
  // Loaded only when served: the simulator and msw stay out of every other command.
  sandbox: () => import('./sandbox/index.js').then((m) => m.ghlSandbox),
  /** A typed client for use without pipelines: `ghl.client({ token, locationId })`. */
  client: createGhlClient,
});
