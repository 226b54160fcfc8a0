import { FerryError, type HttpMethod, type JsonRecord } from '@ferry/core';
import { isRecord, specDocuments } from './openapi.js';

export const READ_SCOPE = 'contacts.readonly';
export const WRITE_SCOPE = 'contacts.write';
export type GhlScope = typeof READ_SCOPE | typeof WRITE_SCOPE;

export interface SpecParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly schema: JsonRecord;
}

/** One operation of contacts.json, reduced to what the catalog, the sandbox and the tests need. */
export interface SpecOperation {
  readonly operationId: string;
  readonly method: HttpMethod;
  /** As the spec writes it: `/contacts/{contactId}/tasks`. */
  readonly path: string;
  readonly scope: GhlScope;
  readonly summary: string;
  readonly deprecated: boolean;
  /** Component name of the JSON request body, when there is one. */
  readonly requestBody: string | undefined;
  /** Status code → `$ref` of the response schema (undefined when the spec documents none). */
  readonly responses: Readonly<Record<string, string | undefined>>;
  readonly parameters: readonly SpecParameter[];
}

const METHODS: Readonly<Record<string, HttpMethod>> = { get: 'GET', post: 'POST', put: 'PUT', delete: 'DELETE', patch: 'PATCH' };

function refOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const content = value['content'];
  const media = isRecord(content) ? (content['application/json'] ?? content['application/x-www-form-urlencoded']) : undefined;
  const schema = isRecord(media) ? media['schema'] : undefined;
  const ref = isRecord(schema) ? schema['$ref'] : undefined;
  return typeof ref === 'string' ? ref : undefined;
}

function scopeOf(method: HttpMethod, security: unknown): GhlScope {
  // The bulk operations carry no `security` in the spec; like every other write they need contacts.write.
  if (Array.isArray(security)) {
    for (const requirement of security) {
      if (!isRecord(requirement)) continue;
      for (const scopes of Object.values(requirement)) {
        if (Array.isArray(scopes) && scopes.includes(WRITE_SCOPE)) return WRITE_SCOPE;
        if (Array.isArray(scopes) && scopes.includes(READ_SCOPE)) return READ_SCOPE;
      }
    }
  }
  return method === 'GET' ? READ_SCOPE : WRITE_SCOPE;
}

function parametersOf(value: unknown): SpecParameter[] {
  if (!Array.isArray(value)) return [];
  const out: SpecParameter[] = [];
  for (const p of value) {
    if (!isRecord(p)) continue;
    const where = p['in'];
    if (typeof p['name'] !== 'string' || (where !== 'path' && where !== 'query' && where !== 'header')) continue;
    out.push({ name: p['name'], in: where, required: p['required'] === true, schema: isRecord(p['schema']) ? p['schema'] : {} });
  }
  return out;
}

function readOperations(document: JsonRecord): SpecOperation[] {
  const paths = document['paths'];
  if (!isRecord(paths)) return [];
  const out: SpecOperation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    for (const [verb, op] of Object.entries(item)) {
      const method = METHODS[verb];
      if (method === undefined || !isRecord(op) || typeof op['operationId'] !== 'string') continue;
      const responses: Record<string, string | undefined> = {};
      if (isRecord(op['responses'])) for (const [status, r] of Object.entries(op['responses'])) responses[status] = refOf(r);
      const body = refOf(op['requestBody']);
      out.push({
        operationId: op['operationId'],
        method,
        path,
        scope: scopeOf(method, op['security']),
        summary: typeof op['summary'] === 'string' ? op['summary'] : op['operationId'],
        deprecated: op['deprecated'] === true,
        requestBody: body?.split('/').pop(),
        responses,
        parameters: parametersOf(op['parameters']),
      });
    }
  }
  return out;
}

let cached: readonly SpecOperation[] | undefined;

/** The 32 operations of contacts.json, in the spec's order. */
export function contactOperations(): readonly SpecOperation[] {
  cached ??= readOperations(specDocuments().contacts);
  return cached;
}

let cachedOauth: readonly SpecOperation[] | undefined;

/** The operations of oauth.json (token grants, location tokens, installed locations), in the spec's order. */
export function oauthOperations(): readonly SpecOperation[] {
  cachedOauth ??= readOperations(specDocuments().oauth);
  return cachedOauth;
}

export function operationById(operationId: string): SpecOperation {
  const op = contactOperations().find((o) => o.operationId === operationId);
  if (op === undefined) throw new Error(`contacts.json has no operation '${operationId}'`);
  return op;
}

/** `/contacts/{contactId}/tasks` → `/contacts/:contactId/tasks` (msw's path syntax). */
export function toRoutePath(specPath: string): string {
  return specPath.replace(/\{(\w+)\}/g, ':$1');
}

/** Fills `{name}` placeholders with URL-encoded values. */
export function expandPath(specPath: string, params: Readonly<Record<string, string>>): string {
  return specPath.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') {
      throw new FerryError('GHL_MISSING_PATH_PARAM', `'${name}' is needed to call ${specPath} but was empty`, {
        hint: `pass ${name} (from the record or as a stream param) before calling this operation`,
      });
    }
    return encodeURIComponent(value);
  });
}
