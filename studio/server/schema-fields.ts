import { formatPath, type JsonSchema, type PathSegment } from '@ferry/core';
import type { FieldType, FieldView } from '../shared/api-types.js';

/**
 * Field lists for the mapping screen. Source fields are written as field-map paths (`address.city`,
 * `tags[].label`, `"utm.source"`); target fields as the dotted names a map writes (`dndSettings.SMS.status`).
 */
export type FieldFlavor = 'source' | 'target';

const MAX_DEPTH = 5;
const TYPE_WORDS: ReadonlySet<string> = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);

type Schema = Readonly<Record<string, unknown>>;

function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Follows a local `$ref` (`#/definitions/x`, `#/$defs/x`); anything else is left as it is. */
function deref(schema: Schema, root: Schema, seen: ReadonlySet<string>): { schema: Schema; seen: ReadonlySet<string> } {
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/') || seen.has(ref)) return { schema, seen };
  let target: unknown = root;
  for (const part of ref.slice(2).split('/')) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    target = isSchema(target) ? target[key] : undefined;
  }
  return isSchema(target) ? deref(target, root, new Set([...seen, ref])) : { schema, seen };
}

function typesOf(schema: Schema, root: Schema, seen: ReadonlySet<string>): FieldType[] {
  const types = new Set<FieldType>();
  const visit = (branch: Schema, refs: ReadonlySet<string>, depth: number): void => {
    const resolved = deref(branch, root, refs);
    const node = resolved.schema;
    const type = node['type'];
    const listed = Array.isArray(type) ? type : type === undefined ? [] : [type];
    for (const word of listed) if (typeof word === 'string' && TYPE_WORDS.has(word)) types.add(word as FieldType);
    const alternatives = [node['anyOf'], node['oneOf']].filter(Array.isArray).flat().filter(isSchema);
    if (depth < MAX_DEPTH) for (const alternative of alternatives) visit(alternative, resolved.seen, depth + 1);
    if (listed.length > 0 || alternatives.length > 0) return;
    if (isSchema(node['properties'])) types.add('object');
    else if (node['items'] !== undefined) types.add('array');
    else if ('const' in node) types.add(valueType(node['const']));
    else if (Array.isArray(node['enum'])) for (const value of node['enum']) types.add(valueType(value));
    else types.add('any');
  };
  visit(schema, seen, 0);
  return types.size === 0 ? ['any'] : [...types];
}

/** The properties of an object schema, `allOf` parts merged, and which of them are required. */
function propertiesOf(schema: Schema, root: Schema, seen: ReadonlySet<string>): { properties: [string, Schema][]; required: Set<string> } {
  const properties = new Map<string, Schema>();
  const required = new Set<string>();
  const parts = [schema, ...(Array.isArray(schema['allOf']) ? schema['allOf'].filter(isSchema) : [])];
  for (const part of parts) {
    const resolved = deref(part, root, seen).schema;
    const props = resolved['properties'];
    if (isSchema(props)) for (const [key, value] of Object.entries(props)) if (isSchema(value)) properties.set(key, value);
    if (Array.isArray(resolved['required'])) for (const key of resolved['required']) if (typeof key === 'string') required.add(key);
  }
  return { properties: [...properties], required };
}

function valueType(value: unknown): FieldType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value as FieldType;
  return typeof value === 'object' ? 'object' : 'any';
}

function formatField(segments: readonly PathSegment[], flavor: FieldFlavor): string {
  if (flavor === 'source') return formatPath(segments);
  return segments.flatMap((segment) => (segment.kind === 'key' ? [segment.key] : [])).join('.');
}

interface Walk {
  readonly root: Schema;
  readonly flavor: FieldFlavor;
  readonly out: FieldView[];
}

function walk(schema: Schema, segments: readonly PathSegment[], required: boolean, state: Walk, depth: number, seen: ReadonlySet<string>): void {
  const resolved = deref(schema, state.root, seen);
  const node = resolved.schema;
  const types = typesOf(node, state.root, resolved.seen);
  const { properties, required: requiredKeys } = propertiesOf(node, state.root, resolved.seen);
  const items = isSchema(node['items']) ? deref(node['items'], state.root, resolved.seen) : undefined;
  const nested = properties.length > 0 && depth < MAX_DEPTH;
  // A target object with known properties is written field by field; a source object can also be taken whole.
  if (segments.length > 0 && !(state.flavor === 'target' && nested)) {
    const description = node['description'];
    const format = node['format'];
    const choices = node['enum'];
    state.out.push({
      path: formatField(segments, state.flavor),
      types,
      ...(items === undefined ? {} : { items: typesOf(items.schema, state.root, items.seen) }),
      required,
      ...(typeof description === 'string' ? { description } : {}),
      ...(typeof format === 'string' ? { format } : {}),
      ...(Array.isArray(choices) ? { enum: choices } : {}),
      origin: 'schema',
    });
  }
  if (nested) {
    for (const [key, child] of properties) {
      walk(child, [...segments, { kind: 'key', key }], (segments.length === 0 || required) && requiredKeys.has(key), state, depth + 1, resolved.seen);
    }
  }
  if (state.flavor === 'source' && items !== undefined && depth < MAX_DEPTH && segments.length > 0) {
    const inner = propertiesOf(items.schema, state.root, items.seen);
    for (const [key, child] of inner.properties) walk(child, [...segments, { kind: 'each' }, { kind: 'key', key }], false, state, depth + 1, items.seen);
  }
}

/** Every field a JSON Schema describes, parents before children, in schema order. */
export function fieldsOfSchema(schema: JsonSchema, flavor: FieldFlavor): FieldView[] {
  const out: FieldView[] = [];
  walk(schema, [], true, { root: schema, flavor, out }, 0, new Set());
  return out;
}

/** Whether an object schema accepts properties it does not list. */
export function acceptsOtherFields(schema: JsonSchema): boolean {
  if (schema['additionalProperties'] === false) return false;
  if (schema['unevaluatedProperties'] === false) return false;
  return true;
}

function seenIn(value: unknown, segments: readonly PathSegment[], depth: number, into: Map<string, { types: Set<FieldType>; items: Set<FieldType> | undefined }>): void {
  if (segments.length > 0) {
    const path = formatPath(segments);
    let entry = into.get(path);
    if (entry === undefined) {
      entry = { types: new Set(), items: undefined };
      into.set(path, entry);
    }
    entry.types.add(valueType(value));
    if (Array.isArray(value)) {
      const items = (entry.items ??= new Set());
      for (const item of value) items.add(valueType(item));
    }
  }
  if (depth >= MAX_DEPTH) return;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) seenIn(child, [...segments, { kind: 'key', key }], depth + 1, into);
  } else if (Array.isArray(value) && segments.length > 0) {
    for (const item of value.slice(0, 20)) {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        for (const [key, child] of Object.entries(item)) seenIn(child, [...segments, { kind: 'each' }, { kind: 'key', key }], depth + 1, into);
      }
    }
  }
}

/** Fields that sample records actually carry, with the types seen (`null` included when a value was null). */
export function fieldsOfRecords(records: readonly unknown[]): FieldView[] {
  const seen = new Map<string, { types: Set<FieldType>; items: Set<FieldType> | undefined }>();
  for (const record of records) seenIn(record, [], 0, seen);
  return [...seen].map(([path, { types, items }]) => ({
    path,
    types: [...types],
    ...(items === undefined ? {} : { items: [...items] }),
    required: false,
    origin: 'sample' as const,
  }));
}

/** Schema fields first (marked `both` when records carry them too), then fields only the records showed. */
export function mergeFields(fromSchema: readonly FieldView[], fromRecords: readonly FieldView[]): FieldView[] {
  const seen = new Map(fromRecords.map((field) => [field.path, field]));
  const merged = fromSchema.map((field): FieldView => {
    const sample = seen.get(field.path);
    if (sample === undefined) return field;
    seen.delete(field.path);
    const vague = field.types.includes('any');
    return {
      ...field,
      origin: 'both',
      ...(vague ? { types: sample.types.filter((type) => type !== 'null') } : {}),
      ...(vague && sample.items !== undefined ? { items: sample.items } : {}),
    };
  });
  return [...merged, ...seen.values()];
}
