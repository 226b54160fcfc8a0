import { FerryError, type CheckpointState, type JsonRecord, type JsonSchema, type Page } from '@ferry/core';

/** A string param a stream cannot be read without (`contactId` of a child stream). */
export function requiredParam(params: Readonly<Record<string, unknown>>, name: string, stream: string): string {
  const value = params[name];
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number') return String(value);
  throw new FerryError('PARAM_MISSING', `stream '${stream}' needs the param '${name}'`, {
    hint: `pass --param ${name}=<id>, or set from.params.${name} in the pipeline`,
    details: { stream, param: name },
  });
}

/** Params schema of streams read per id: `{ <name>: string }` for each name, all required. */
export function idParams(names: readonly string[], descriptions: Readonly<Record<string, string>> = {}): JsonSchema {
  const properties: JsonRecord = {};
  for (const name of names) properties[name] = { type: 'string', minLength: 1, ...(descriptions[name] === undefined ? {} : { description: descriptions[name] }) };
  return { type: 'object', additionalProperties: false, required: [...names], properties };
}

/**
 * Streams whose endpoint answers everything at once (a contact's tasks): one page, then a state that says it
 * was read, so resuming from it reads nothing again.
 */
export async function* onePage<R extends JsonRecord>(state: CheckpointState | undefined, load: () => Promise<readonly R[]>): AsyncGenerator<Page<R>> {
  if (state?.['done'] === true) return;
  const records = await load();
  yield { records, state: { done: true }, total: records.length };
}
