import type { Call } from '../endpoint.js';
import type { LocationState } from '../location-state.js';
import type { StoredContact } from '../model.js';
import { fail, LOCATION_FORBIDDEN } from '../replies.js';

/** The location a call names (query or body `locationId`): 422 when missing, 403 when not the token's. */
export function namedLocation(call: Call, locationId: unknown, where: 'query' | 'body' = 'query'): LocationState {
  if (typeof locationId !== 'string' || locationId === '') {
    fail(422, [`locationId should not be empty${where === 'query' ? ' (query parameter)' : ''}`]);
  }
  return tokenLocation(call, locationId);
}

/** The token's own location, when `locationId` is it; else 403 like the live API. */
export function tokenLocation(call: Call, locationId: string | undefined): LocationState {
  const own = call.token.locationId;
  if (own === undefined || locationId === undefined || own !== locationId) fail(403, LOCATION_FORBIDDEN);
  const location = call.world.locations.get(own);
  if (location === undefined) fail(403, LOCATION_FORBIDDEN);
  return location;
}

/** The contact of `{contactId}`: 400 when there is none, 403 when it belongs to another location. */
export function pathContact(call: Call, param = 'contactId'): { location: LocationState; contact: StoredContact } {
  const id = call.params[param] ?? '';
  const owner = call.world.contactLocation.get(id);
  if (owner === undefined) fail(400, 'Contact not found');
  const location = tokenLocation(call, owner);
  const contact = location.contacts.get(id);
  if (contact === undefined) fail(400, 'Contact not found');
  return { location, contact };
}

export function bodyOf(call: Call): Record<string, unknown> {
  return (call.body ?? {}) as Record<string, unknown>;
}

/** ISO 8601 date-time check for task due dates and workflow start times. */
export function isoDateTime(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value.trim())) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}
