import { applyContactInput, blankContact, checkContactInput } from '../contact-input.js';
import { contactById, createdContact } from '../contact-views.js';
import type { Call, Endpoint } from '../endpoint.js';
import type { LocationState } from '../location-state.js';
import type { StoredContact } from '../model.js';
import { fail, ok } from '../replies.js';
import { bodyOf, namedLocation, pathContact } from './lookups.js';

const DUPLICATE_MESSAGE = 'This location does not allow duplicated contacts.';

function rejectInvalid(input: Record<string, unknown>): void {
  const messages = checkContactInput(input);
  if (messages.length > 0) fail(422, messages);
}

/** 400 with the existing contact in `meta`, as the live API answers a duplicate when duplicates are off. */
function rejectDuplicate(location: LocationState, email: unknown, phone: unknown, self: string | undefined): void {
  if (location.duplicates.allowDuplicates) return;
  for (const field of location.duplicates.priority) {
    const value = field === 'email' ? email : phone;
    if (typeof value !== 'string' || value.trim() === '') continue;
    const ids = field === 'email' ? location.idsByEmail(value) : location.idsByPhone(value);
    const other = ids.find((id) => id !== self);
    if (other === undefined) continue;
    const existing = location.contacts.get(other);
    fail(400, DUPLICATE_MESSAGE, {
      meta: {
        contactName: [existing?.firstName, existing?.lastName].filter(Boolean).join(' '),
        contactId: other,
        matchingField: field,
      },
    });
  }
}

function createContact(call: Call, location: LocationState, input: Record<string, unknown>): StoredContact {
  const contact = blankContact(call.world.newId(), location.id, call.now);
  applyContactInput(contact, input);
  location.insertContact(contact, call.now);
  call.world.contactLocation.set(contact.id, location.id);
  return contact;
}

function withoutLocation(input: Record<string, unknown>): Record<string, unknown> {
  const { locationId: _location, createNewIfDuplicateAllowed: _flag, ...rest } = input;
  return rest;
}

export const contactEndpoints: readonly Endpoint[] = [
  {
    operationId: 'create-contact',
    handle(call) {
      const input = bodyOf(call);
      const location = namedLocation(call, input['locationId'], 'body');
      rejectInvalid(input);
      rejectDuplicate(location, input['email'], input['phone'], undefined);
      return ok({ contact: createdContact(createContact(call, location, withoutLocation(input))) }, 201);
    },
  },
  {
    operationId: 'get-contact',
    handle(call) {
      return ok({ contact: contactById(pathContact(call).contact) });
    },
  },
  {
    operationId: 'update-contact',
    handle(call) {
      const { location, contact } = pathContact(call);
      const input = bodyOf(call);
      rejectInvalid(input);
      rejectDuplicate(location, input['email'], input['phone'], contact.id);
      const changed = location.changeContact(contact, call.now, (c) => applyContactInput(c, input));
      return ok({ succeded: true, contact: contactById(changed) });
    },
  },
  {
    operationId: 'delete-contact',
    handle(call) {
      const { location, contact } = pathContact(call);
      location.deleteContact(contact, call.now);
      call.world.contactLocation.delete(contact.id);
      return ok({ succeded: true });
    },
  },
  {
    operationId: 'upsert-contact',
    handle(call) {
      const input = bodyOf(call);
      const location = namedLocation(call, input['locationId'], 'body');
      rejectInvalid(input);
      const fields = withoutLocation(input);
      const forceNew = location.duplicates.allowDuplicates && input['createNewIfDuplicateAllowed'] === true;
      const email = typeof input['email'] === 'string' ? input['email'] : undefined;
      const phone = typeof input['phone'] === 'string' ? input['phone'] : undefined;
      const match = forceNew ? undefined : location.findDuplicate(email, phone);
      if (match === undefined) {
        return ok({ new: true, contact: contactById(createContact(call, location, fields)) });
      }
      // The second field is ignored when it belongs to another contact: updating it would make a duplicate.
      const other = match.field === 'email' ? 'phone' : 'email';
      const otherValue = other === 'email' ? email : phone;
      if (otherValue !== undefined) {
        const owners = other === 'email' ? location.idsByEmail(otherValue) : location.idsByPhone(otherValue);
        if (owners.some((id) => id !== match.contact.id)) delete fields[other];
      }
      const changed = location.changeContact(match.contact, call.now, (c) => applyContactInput(c, fields));
      return ok({ new: false, contact: contactById(changed) });
    },
  },
];
