import type { JsonRecord } from '@ferry/core';

/**
 * Where the vendor's OpenAPI files contradict the live API or leave a shape undocumented. The files stay
 * unaltered; these corrections are applied to copies, and each one says why.
 */

export interface SchemaErratum {
  /** Component schema in contacts.json. */
  readonly component: string;
  /** Property path inside it (`['properties', 'dateOfBirth']`). */
  readonly at: readonly string[];
  readonly replacement: JsonRecord;
  readonly reason: string;
}

const DATE_OF_BIRTH: JsonRecord = {
  type: 'string',
  nullable: true,
  description: 'Birth date: YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, MM-DD-YYYY, YYYY.MM.DD, MM.DD.YYYY, YYYY_MM_DD or MM_DD_YYYY',
};
const NUMERIC_VALUE: JsonRecord = { type: ['number', 'string'] };

/** Corrections to request schemas. */
export const REQUEST_ERRATA: readonly SchemaErratum[] = [
  ...['CreateContactDto', 'UpdateContactDto', 'UpsertContactDto'].map((component) => ({
    component,
    at: ['properties', 'dateOfBirth'],
    replacement: DATE_OF_BIRTH,
    reason: "typed `object` in the spec, but its own description and example are date strings ('1990-09-25')",
  })),
  ...['NumericField', 'MonetoryField'].map((component) => ({
    component,
    at: ['properties', 'field_value'],
    replacement: NUMERIC_VALUE,
    reason: 'typed `object` in the spec; numeric and monetary custom fields take numbers',
  })),
];

/** Fields POST /contacts/search can sort on (FACTS: at most two sort keys). */
export const SEARCH_SORT_FIELDS = [
  'dateAdded',
  'dateUpdated',
  'email',
  'firstNameLowerCase',
  'lastNameLowerCase',
  'businessName',
  'dnd',
  'source',
] as const;

export const SEARCH_OPERATORS = ['eq', 'not_eq', 'contains', 'not_contains', 'exists', 'not_exists', 'range'] as const;

/** Search paging limits the live API enforces. */
export const SEARCH_MAX_PAGE_LIMIT = 500;
export const SEARCH_MAX_STANDARD_PAGING = 10_000;

/**
 * Components the spec lacks: the search body is `{}` in the spec and the search/duplicate responses have no
 * schema. These follow the documented behaviour of the live API (shapes in FACTS.md).
 */
export const ADDED_REQUEST_COMPONENTS: Readonly<Record<string, JsonRecord>> = {
  SearchBodyV2DTO: {
    type: 'object',
    required: ['locationId', 'pageLimit'],
    properties: {
      locationId: { type: 'string' },
      pageLimit: { type: 'integer', minimum: 1, maximum: SEARCH_MAX_PAGE_LIMIT },
      page: { type: 'integer', minimum: 1 },
      searchAfter: { type: 'array', items: { type: ['string', 'number'] } },
      filters: { type: 'array', items: { $ref: '#/components/schemas/SearchFilter' } },
      sort: { type: 'array', maxItems: 2, items: { $ref: '#/components/schemas/SearchSort' } },
      query: { type: 'string', maxLength: 75 },
    },
  },
  SearchFilter: {
    type: 'object',
    properties: {
      field: { type: 'string' },
      operator: { type: 'string', enum: [...SEARCH_OPERATORS] },
      value: {},
      group: { type: 'string', enum: ['AND', 'OR'] },
      filters: { type: 'array', items: { $ref: '#/components/schemas/SearchFilter' } },
    },
  },
  SearchSort: {
    type: 'object',
    required: ['field', 'direction'],
    properties: {
      field: { type: 'string', enum: [...SEARCH_SORT_FIELDS] },
      direction: { type: 'string', enum: ['asc', 'desc'] },
    },
  },
};

export const ADDED_RESPONSE_COMPONENTS: Readonly<Record<string, JsonRecord>> = {
  SearchContactsResponseDto: {
    type: 'object',
    required: ['contacts', 'total'],
    properties: {
      contacts: {
        type: 'array',
        items: {
          allOf: [
            { $ref: '#/components/schemas/ContactsSearchSchema' },
            { type: 'object', required: ['id', 'searchAfter'], properties: { searchAfter: { type: 'array' } } },
          ],
        },
      },
      total: { type: 'number' },
      traceId: { type: 'string' },
    },
  },
  DuplicateContactResponseDto: {
    type: 'object',
    required: ['contact'],
    properties: {
      contact: { anyOf: [{ $ref: '#/components/schemas/ContactsSearchSchema' }, { type: 'null' }] },
      traceId: { type: 'string' },
    },
  },
  LegacyContactsResponseDto: {
    allOf: [
      { $ref: '#/components/schemas/ContactsSearchSuccessfulResponseDto' },
      {
        type: 'object',
        required: ['contacts', 'count', 'meta'],
        properties: { meta: { $ref: '#/components/schemas/ContactsMetaSchema' } },
      },
    ],
  },
};

/** Response schema for operations whose success response the spec leaves undocumented. */
export const UNDOCUMENTED_SUCCESS: Readonly<Record<string, string>> = {
  'search-contacts-advanced': 'SearchContactsResponseDto',
  'get-duplicate-contact': 'DuplicateContactResponseDto',
};
