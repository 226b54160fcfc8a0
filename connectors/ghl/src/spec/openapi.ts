import { readFileSync } from 'node:fs';
import type { JsonRecord } from '@ferry/core';

/**
 * The vendor's OpenAPI documents, shipped unaltered in `connectors/ghl/openapi/`. Everything the connector and
 * the sandbox know about request and response shapes is read from here, so a spec update shows up in the tests.
 */

export const SPEC_BASE_URI = 'https://ghl.openapi.local/';
export const CONTACTS_SPEC_URI = `${SPEC_BASE_URI}apps/contacts.json`;
export const OAUTH_SPEC_URI = `${SPEC_BASE_URI}apps/oauth.json`;
export const COMMON_SPEC_URI = `${SPEC_BASE_URI}common/common-schemas.json`;

function loadDocument(relativePath: string): JsonRecord {
  const text = readFileSync(new URL(`../../openapi/${relativePath}`, import.meta.url), 'utf8');
  const parsed: unknown = JSON.parse(text);
  if (!isRecord(parsed)) throw new Error(`openapi/${relativePath} is not a JSON object`);
  return parsed;
}

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let documents: { contacts: JsonRecord; oauth: JsonRecord; common: JsonRecord } | undefined;

/** The three documents, parsed once per process. Callers must not mutate them. */
export function specDocuments(): { readonly contacts: JsonRecord; readonly oauth: JsonRecord; readonly common: JsonRecord } {
  documents ??= {
    contacts: loadDocument('apps/contacts.json'),
    oauth: loadDocument('apps/oauth.json'),
    common: loadDocument('common/common-schemas.json'),
  };
  return documents;
}

/** A component schema of contacts.json (or oauth.json), as written by the vendor. */
export function componentSchema(name: string, document: 'contacts' | 'oauth' = 'contacts'): JsonRecord {
  const components = specDocuments()[document]['components'];
  const schemas = isRecord(components) ? components['schemas'] : undefined;
  const schema = isRecord(schemas) ? schemas[name] : undefined;
  if (!isRecord(schema)) throw new Error(`no component schema '${name}' in ${document}.json`);
  return schema;
}
