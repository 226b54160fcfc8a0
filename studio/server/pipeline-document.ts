import { Document, isCollection, isMap, isNode, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { canonicalJson } from '@ferry/core';
import type { MapEntry, PipelineDraft } from '../shared/api-types.js';

/**
 * A pipeline file as a YAML Document: the studio reads its draft from it and writes an edited draft back into
 * it, changing only the nodes whose values changed, so comments, key order, quoting and flow style survive.
 */

/** Top-level keys in the order a new key is placed among the others. */
const KEY_ORDER = ['name', 'description', 'on', 'from', 'where', 'to', 'map', 'then', 'concurrency', 'batchSize'] as const;
const STRINGIFY = { lineWidth: 0 } as const;

type PlainObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is PlainObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function plain(node: unknown): unknown {
  return isNode(node) ? node.toJSON() : node;
}

function isScalarValue(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function mapEntryOf(value: unknown): MapEntry {
  if (typeof value === 'string') return value;
  if (isPlainObject(value) && ('from' in value || 'const' in value || 'expr' in value)) return value as MapEntry;
  // Not an entry the loader accepts either; shown as written so that its problem can be fixed.
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** The studio's view of pipeline data (as parsed, `${VAR}` unresolved). */
export function draftOfValue(value: unknown): PipelineDraft {
  const data = isPlainObject(value) ? value : {};
  const from = isPlainObject(data['from']) ? data['from'] : {};
  const to = isPlainObject(data['to']) ? data['to'] : {};
  const map = isPlainObject(data['map']) ? data['map'] : {};
  const sync = from['sync'];
  const match = to['match'];
  return {
    name: text(data['name']),
    ...(typeof data['description'] === 'string' ? { description: data['description'] } : {}),
    from: {
      connection: text(from['connection']),
      stream: text(from['stream']),
      ...(sync === 'full' || sync === 'incremental' ? { sync } : {}),
      ...(isPlainObject(from['params']) ? { params: from['params'] } : {}),
    },
    ...(typeof data['where'] === 'string' ? { where: data['where'] } : {}),
    to: {
      connection: text(to['connection']),
      action: text(to['action']),
      ...(Array.isArray(match) ? { match: match.map(text) } : {}),
      ...(isPlainObject(to['with']) ? { with: to['with'] } : {}),
    },
    map: Object.fromEntries(Object.entries(map).map(([field, entry]) => [field, mapEntryOf(entry)])),
  };
}

/** A new node for a value; objects inside `flow` collections (and map entries) are written `{ a: b }`. */
function create(doc: Document, value: unknown, flow: boolean): Node {
  const node = doc.createNode(value) as Node;
  if (flow && isCollection(node)) node.flow = true;
  return node;
}

/**
 * Makes `node` hold `value`, reusing what can be reused: equal values keep their node untouched, scalars keep
 * their style, maps keep the order of the keys that stay (new keys go last), a replaced node keeps its comments.
 */
function patch(doc: Document, node: unknown, value: unknown, flow: boolean): Node {
  if (isNode(node) && canonicalJson(plain(node)) === canonicalJson(value)) return node;
  if (isScalar(node) && isScalarValue(value)) {
    node.value = value;
    return node;
  }
  if (isMap(node) && isPlainObject(value)) {
    const keys = Object.keys(value);
    node.items = node.items.filter((pair) => keys.includes(keyText(pair.key)));
    for (const key of keys) {
      const pair = node.items.find((item) => keyText(item.key) === key);
      if (pair === undefined) node.items.push(doc.createPair(key, create(doc, value[key], flow || node.flow === true)) as Pair<unknown, unknown>);
      else pair.value = patch(doc, pair.value, value[key], flow || node.flow === true);
    }
    return node;
  }
  if (isSeq(node) && Array.isArray(value)) {
    node.items = value.map((item, index) => (index < node.items.length ? patch(doc, node.items[index], item, true) : create(doc, item, true)));
    return node;
  }
  const created = create(doc, value, isCollection(node) ? node.flow === true : flow);
  if (isNode(node)) {
    if (node.comment !== undefined) created.comment = node.comment;
    if (node.commentBefore !== undefined) created.commentBefore = node.commentBefore;
    if (node.spaceBefore !== undefined) created.spaceBefore = node.spaceBefore;
  }
  return created;
}

/** The values the draft gives each top-level key it edits (undefined: the key goes). */
function draftValues(draft: PipelineDraft): Record<string, unknown> {
  return {
    name: draft.name,
    description: draft.description === undefined || draft.description.trim() === '' ? undefined : draft.description,
    from: draft.from,
    where: draft.where === undefined || draft.where.trim() === '' ? undefined : draft.where,
    to: {
      connection: draft.to.connection,
      action: draft.to.action,
      ...(draft.to.match === undefined || draft.to.match.length === 0 ? {} : { match: draft.to.match }),
      ...(draft.to.with === undefined || Object.keys(draft.to.with).length === 0 ? {} : { with: draft.to.with }),
    },
    // No map means records reach the action unchanged, which differs from an empty map.
    map: Object.keys(draft.map).length === 0 ? undefined : draft.map,
  };
}

/** `from` and `to` of a new file are written on one line each, like the examples in the README. */
function flowFor(key: string): boolean {
  return key === 'from' || key === 'to';
}

function placeNewKey(doc: Document, key: string, node: Node): void {
  const root = doc.contents;
  if (!isMap(root)) return;
  const order: readonly string[] = KEY_ORDER;
  const rank = order.indexOf(key);
  const pair = doc.createPair(key, node) as Pair<unknown, unknown>;
  const before = root.items.findIndex((item) => {
    const other = order.indexOf(keyText(item.key));
    return other !== -1 && other > rank;
  });
  if (before === -1) root.items.push(pair);
  else root.items.splice(before, 0, pair);
}

function createMapNode(doc: Document, map: Readonly<Record<string, MapEntry>>): Node {
  const node = doc.createNode({}) as Node;
  if (isMap(node)) for (const [field, entry] of Object.entries(map)) node.items.push(doc.createPair(field, create(doc, entry, true)) as Pair<unknown, unknown>);
  return node;
}

/** Writes the draft into the document in place. */
export function applyDraft(doc: Document, draft: PipelineDraft): void {
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as Node as typeof doc.contents;
  const root = doc.contents;
  if (!isMap(root)) return;
  for (const [key, value] of Object.entries(draftValues(draft))) {
    const pair = root.items.find((item) => keyText(item.key) === key);
    if (value === undefined) {
      if (pair !== undefined) root.items = root.items.filter((item) => item !== pair);
      continue;
    }
    if (pair !== undefined) {
      // Objects created anywhere below are written in flow style: `{ from: phone, convert: phone-e164 }`.
      pair.value = key === 'map' && !isMap(pair.value) ? createMapNode(doc, draft.map) : patch(doc, pair.value, value, true);
    } else {
      placeNewKey(doc, key, key === 'map' ? createMapNode(doc, draft.map) : create(doc, value, flowFor(key)));
    }
  }
}

export interface RenderOptions {
  /** The `$schema` comment editors read, relative to the file (undefined: no comment). */
  readonly schemaHint?: string;
}

/** The text of a pipeline file: the existing one with the draft written in, or a new one. */
export function renderPipeline(existing: string | undefined, draft: PipelineDraft, options: RenderOptions = {}): string {
  const doc = existing === undefined ? new Document() : parseDocument(existing, { keepSourceTokens: false });
  if (existing === undefined && options.schemaHint !== undefined) doc.commentBefore = ` yaml-language-server: $schema=${options.schemaHint}`;
  applyDraft(doc, draft);
  return doc.toString(STRINGIFY);
}

/** Parses a pipeline file for editing; YAML syntax errors come back with their line and column. */
export function readPipelineText(text: string): { draft: PipelineDraft; errors: readonly { message: string; line: number; column: number }[] } {
  const doc = parseDocument(text);
  const errors = doc.errors.map((error) => ({
    message: error.message.split('\n')[0] ?? error.message,
    line: error.linePos?.[0]?.line ?? 1,
    column: error.linePos?.[0]?.col ?? 1,
  }));
  return { draft: draftOfValue(errors.length === 0 ? doc.toJS() : {}), errors };
}
