import { FerryError, type JsonRecord, type JsonSchema } from '@ferry/core';
import { REQUEST_ERRATA } from './errata.js';
import { componentSchema, isRecord } from './openapi.js';

/**
 * Plain JSON Schemas (no `$ref`, no OpenAPI-only keywords) made from the spec's components, for record schemas
 * and action inputs. Validators elsewhere run ajv in strict mode, which rejects `example` and `nullable`.
 */

const DROPPED_KEYWORDS = new Set(['example', 'examples', 'nullable', 'deprecated', 'readOnly', 'writeOnly', 'xml', 'externalDocs']);

function erratumFor(component: string, property: string): JsonRecord | undefined {
  return REQUEST_ERRATA.find((e) => e.component === component && e.at.length === 2 && e.at[0] === 'properties' && e.at[1] === property)?.replacement;
}

function convert(node: unknown, component: string | undefined, applyErrata: boolean, depth: number): unknown {
  if (depth > 20) {
    throw new FerryError('GHL_SPEC_INVALID', `schema ${component ?? ''} nests too deep (a $ref cycle?)`, {
      hint: 'the bundled openapi files were changed: restore them from the vendor repository',
    });
  }
  if (Array.isArray(node)) return node.map((item) => convert(item, component, applyErrata, depth + 1));
  if (!isRecord(node)) return node;
  const ref = node['$ref'];
  if (typeof ref === 'string') {
    const name = ref.split('/').pop() ?? '';
    return convert(componentSchema(name), name, applyErrata, depth + 1);
  }
  const out: JsonRecord = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.has(key)) continue;
    if (key === 'properties' && isRecord(value)) {
      const properties: JsonRecord = {};
      for (const [name, schema] of Object.entries(value)) {
        const corrected = applyErrata && component !== undefined ? erratumFor(component, name) : undefined;
        properties[name] = convert(corrected ?? schema, undefined, applyErrata, depth + 1);
      }
      out[key] = properties;
      continue;
    }
    out[key] = convert(value, component, applyErrata, depth + 1);
  }
  // OpenAPI's `nullable: true` is JSON Schema's `type: [t, 'null']`.
  if (node['nullable'] === true && out['type'] !== undefined) {
    const types = Array.isArray(out['type']) ? (out['type'] as unknown[]) : [out['type']];
    out['type'] = [...new Set([...types, 'null'])];
  }
  return out;
}

export interface SchemaOptions {
  /** Apply the request errata (inputs); records use the spec's response shapes as written. */
  readonly errata?: boolean;
  /** Properties to leave out (`locationId` comes from the connection, not the record). */
  readonly omit?: readonly string[];
  /** Properties to add or replace. */
  readonly extend?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  /** Reject properties the API does not know (the live API answers 422 to them anyway). */
  readonly closed?: boolean;
  readonly description?: string;
}

/** A component of contacts.json as a self-contained JSON Schema, adjusted by `options`. */
export function specSchema(component: string, options: SchemaOptions = {}): JsonSchema {
  const converted = convert(componentSchema(component), component, options.errata === true, 0) as JsonRecord;
  const properties: JsonRecord = { ...(isRecord(converted['properties']) ? converted['properties'] : {}) };
  for (const name of options.omit ?? []) delete properties[name];
  Object.assign(properties, options.extend ?? {});
  const required = options.required ?? (Array.isArray(converted['required']) ? (converted['required'] as string[]).filter((r) => r in properties) : []);
  return {
    type: 'object',
    ...(options.description === undefined ? {} : { description: options.description }),
    properties,
    ...(required.length === 0 ? {} : { required: [...required] }),
    ...(options.closed === true ? { additionalProperties: false } : {}),
  };
}
