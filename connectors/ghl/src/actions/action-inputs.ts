import { FerryError, type ActionRequest, type JsonRecord, type JsonSchema } from '@ferry/core';

export const STRING_LIST: JsonSchema = { type: 'array', items: { type: 'string', minLength: 1 } };
export const CONTACT_ID: JsonSchema = { type: 'string', minLength: 1, description: 'Contact id (default: the contact written by the previous step)' };
export const REPLACE_TAGS_OPTIONS: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    replaceTags: {
      type: 'boolean',
      default: false,
      description: "true: the record's tags replace the contact's tags; false (default): they are added, existing tags stay",
    },
  },
};

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * The contact an action works on: `contactId` of the input, else the contact the previous step wrote, else
 * (for actions on contacts themselves) the contact this source record is linked to.
 */
export function contactIdOf(request: ActionRequest, options: { readonly useLink: boolean }): string {
  const fromInput = text(request.input['contactId']);
  if (fromInput !== undefined) return fromInput;
  const previous = request.previous;
  const fromPrevious = text(previous?.record?.['contactId']) ?? text(previous?.id);
  if (fromPrevious !== undefined) return fromPrevious;
  if (options.useLink && request.linkedId !== undefined && request.linkedId !== '') return request.linkedId;
  throw new FerryError('GHL_CONTACT_ID_MISSING', 'this action needs the contact to act on, and none was given', {
    hint: 'map contactId in the step (e.g. `contactId: { expr: "$result.id" }`), or run it as a `then` step after a contact write',
  });
}

/** The id of the record an update/delete targets: `field` of the input, else the link of this source record. */
export function targetIdOf(request: ActionRequest, field: string, what: string): string {
  const id = text(request.input[field]) ?? (request.linkedId === '' ? undefined : request.linkedId);
  if (id === undefined) {
    throw new FerryError('GHL_TARGET_ID_MISSING', `this action needs the id of the ${what} to change, and none was given`, {
      hint: `map ${field} in the step, or write the ${what} with this pipeline first so that it is linked`,
    });
  }
  return id;
}

/** Strings from the input field and the `with:` option of the same name, once each. */
export function mergedList(request: ActionRequest, field: string): string[] {
  const out: string[] = [];
  for (const source of [request.input[field], request.options[field]]) {
    if (!Array.isArray(source)) continue;
    for (const value of source) if (typeof value === 'string' && value !== '' && !out.includes(value)) out.push(value);
  }
  return out;
}

/** A string from the input, else from the `with:` options. */
export function inputOrOption(request: ActionRequest, field: string): string | undefined {
  return text(request.input[field]) ?? text(request.options[field]);
}

/** The input without undefined values and without the listed fields. */
export function fieldsOf(input: JsonRecord, omit: readonly string[] = []): JsonRecord {
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(input)) if (value !== undefined && !omit.includes(key)) out[key] = value;
  return out;
}

/** ISO 8601 without milliseconds, the form the task endpoints document. */
export function apiDateTime(value: unknown, field: string): string {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new FerryError('GHL_INVALID_DATE', `${field} '${String(value)}' is not a date`, {
      hint: `map ${field} to an ISO 8601 date-time (2025-03-01T15:00:00Z), or convert it with { convert: date }`,
    });
  }
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
