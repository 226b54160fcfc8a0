import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { JsonRecord } from '@ferry/core';
import { ADDED_REQUEST_COMPONENTS, ADDED_RESPONSE_COMPONENTS, REQUEST_ERRATA } from './errata.js';
import { COMMON_SPEC_URI, CONTACTS_SPEC_URI, OAUTH_SPEC_URI, SPEC_BASE_URI, isRecord, specDocuments } from './openapi.js';

/**
 * ajv validators over the vendor's schemas. Two views of the same documents:
 * - responses: the spec as written (plus schemas for responses it leaves undocumented);
 * - requests: the spec with the errata applied and unknown JSON body properties forbidden, because the live
 *   API (NestJS with a whitelist) answers 422 "property x should not exist" to them.
 */

const STRICT_BASE_URI = `${SPEC_BASE_URI}strict/`;

function clone(value: JsonRecord): JsonRecord {
  return structuredClone(value);
}

function componentsOf(document: JsonRecord): Record<string, unknown> {
  const components = document['components'];
  if (!isRecord(components)) throw new Error('OpenAPI document without components');
  const schemas = components['schemas'];
  if (!isRecord(schemas)) throw new Error('OpenAPI document without component schemas');
  return schemas;
}

/** Forbids unknown properties in every object schema that lists its properties (even none). */
function forbidUnknownProperties(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) forbidUnknownProperties(item);
    return;
  }
  if (!isRecord(node)) return;
  const properties = node['properties'];
  // An empty `properties` (AddContactToCampaignDto) still closes the body: the API whitelists every DTO.
  if (isRecord(properties) && node['additionalProperties'] === undefined) {
    node['additionalProperties'] = false;
  }
  for (const value of Object.values(node)) forbidUnknownProperties(value);
}

function applyErrata(document: JsonRecord): void {
  const schemas = componentsOf(document);
  for (const erratum of REQUEST_ERRATA) {
    let node: unknown = schemas[erratum.component];
    const path = [...erratum.at];
    const last = path.pop();
    for (const key of path) node = isRecord(node) ? node[key] : undefined;
    if (!isRecord(node) || last === undefined || node[last] === undefined) {
      throw new Error(`erratum target ${erratum.component}/${erratum.at.join('/')} is not in the spec any more`);
    }
    node[last] = clone(erratum.replacement);
  }
}

let ajv: Ajv | undefined;

function instance(): Ajv {
  if (ajv !== undefined) return ajv;
  const { contacts, oauth, common } = specDocuments();
  const created = new Ajv({ strict: false, allErrors: true, formats: { 'date-time': true } });

  const responseContacts = clone(contacts);
  Object.assign(componentsOf(responseContacts), clone(ADDED_RESPONSE_COMPONENTS));
  created.addSchema({ ...responseContacts, $id: CONTACTS_SPEC_URI });
  created.addSchema({ ...clone(oauth), $id: OAUTH_SPEC_URI });
  created.addSchema({ ...clone(common), $id: COMMON_SPEC_URI });

  const strictContacts = clone(contacts);
  Object.assign(componentsOf(strictContacts), clone(ADDED_REQUEST_COMPONENTS));
  applyErrata(strictContacts);
  forbidUnknownProperties(componentsOf(strictContacts));
  // The token endpoint is a form post that tolerates extra fields (clients send `scope`, `state`, …).
  const strictOauth = clone(oauth);
  created.addSchema({ ...strictContacts, $id: `${STRICT_BASE_URI}apps/contacts.json` });
  created.addSchema({ ...strictOauth, $id: `${STRICT_BASE_URI}apps/oauth.json` });
  created.addSchema({ ...clone(common), $id: `${STRICT_BASE_URI}common/common-schemas.json` });
  ajv = created;
  return created;
}

const compiled = new Map<string, ValidateFunction>();

function validatorFor(uri: string): ValidateFunction {
  let validate = compiled.get(uri);
  if (validate === undefined) {
    validate = instance().compile({ $ref: uri });
    compiled.set(uri, validate);
  }
  return validate;
}

/** Validator of a request body component (errata applied, unknown properties rejected). */
export function requestValidator(component: string, document: 'contacts' | 'oauth' = 'contacts'): ValidateFunction {
  return validatorFor(`${STRICT_BASE_URI}apps/${document}.json#/components/schemas/${component}`);
}

/**
 * Validator of a response schema. `ref` is either a component name of contacts.json or a `$ref` exactly as an
 * operation writes it (`#/components/schemas/X`, `../common/common-schemas.json#/components/schemas/Y`).
 */
export function responseValidator(ref: string, document: 'contacts' | 'oauth' = 'contacts'): ValidateFunction {
  const base = document === 'contacts' ? CONTACTS_SPEC_URI : OAUTH_SPEC_URI;
  const uri = ref.includes('#') ? new URL(ref, base).href : `${base}#/components/schemas/${ref}`;
  return validatorFor(uri);
}

function fieldName(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (error.keyword === 'required') {
    const missingProperty = (error.params as { missingProperty?: unknown }).missingProperty;
    const missing = typeof missingProperty === 'string' ? missingProperty : '';
    return path === '' ? missing : `${path}.${missing}`;
  }
  return path === '' ? 'body' : path;
}

const TYPE_PHRASES: Readonly<Record<string, string>> = {
  string: 'must be a string',
  boolean: 'must be a boolean value',
  number: 'must be a number conforming to the specified constraints',
  integer: 'must be an integer number',
  array: 'must be an array',
  object: 'must be an object',
};

/** ajv errors as the live API words them (class-validator messages in a 422 `message` array). */
export function validationMessages(errors: readonly ErrorObject[] | null | undefined): string[] {
  if (errors === null || errors === undefined) return [];
  const messages: string[] = [];
  // anyOf branches explain themselves badly one by one; report the anyOf once instead.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  for (const error of errors) {
    const field = fieldName(error);
    const insideAnyOf = [...anyOfPaths].some((p) => error.instancePath === p || error.instancePath.startsWith(`${p}/`));
    if (error.keyword !== 'anyOf' && insideAnyOf) continue;
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required':
        messages.push(`${field} should not be empty`);
        break;
      case 'additionalProperties':
        messages.push(`property ${String(params['additionalProperty'])} should not exist`);
        break;
      case 'type': {
        const types = String(params['type']).split(',');
        messages.push(`${field} ${types.map((t) => TYPE_PHRASES[t] ?? `must be ${t}`).join(' or ')}`);
        break;
      }
      case 'enum':
        messages.push(`${field} must be one of the following values: ${(params['allowedValues'] as unknown[]).join(', ')}`);
        break;
      case 'maximum':
        messages.push(`${field} must not be greater than ${String(params['limit'])}`);
        break;
      case 'minimum':
        messages.push(`${field} must not be less than ${String(params['limit'])}`);
        break;
      case 'maxLength':
        messages.push(`${field} must be shorter than or equal to ${String(params['limit'])} characters`);
        break;
      case 'maxItems':
        messages.push(`${field} must contain no more than ${String(params['limit'])} elements`);
        break;
      case 'anyOf':
        messages.push(`${field} must match one of the accepted shapes`);
        break;
      default:
        messages.push(`${field} ${error.message ?? 'is invalid'}`);
    }
  }
  return [...new Set(messages)];
}
