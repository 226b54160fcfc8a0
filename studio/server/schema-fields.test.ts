import { describe, expect, it } from 'vitest';
import { acceptsOtherFields, fieldsOfRecords, fieldsOfSchema, mergeFields } from './schema-fields.js';

const contact = {
  type: 'object',
  required: ['email', 'address'],
  properties: {
    email: { type: 'string', format: 'email', description: 'E-mail' },
    'utm.source': { type: 'string' },
    age: { type: ['integer', 'null'] },
    address: { $ref: '#/$defs/address' },
    tags: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' } } } },
    kind: { enum: ['lead', 'customer'] },
    score: { anyOf: [{ type: 'number' }, { type: 'string' }] },
  },
  $defs: { address: { type: 'object', required: ['city'], properties: { city: { type: 'string' }, zip: { type: 'string' } } } },
};

describe('fieldsOfSchema', () => {
  it('lists source paths with types, quoting dotted keys and mapping over lists', () => {
    const fields = fieldsOfSchema(contact, 'source');
    const byPath = new Map(fields.map((field) => [field.path, field]));
    expect([...byPath.keys()]).toEqual(['email', '["utm.source"]', 'age', 'address', 'address.city', 'address.zip', 'tags', 'tags[].label', 'kind', 'score']);
    expect(byPath.get('email')).toMatchObject({ types: ['string'], format: 'email', required: true, description: 'E-mail' });
    expect(byPath.get('age')?.types).toEqual(['integer', 'null']);
    expect(byPath.get('tags')).toMatchObject({ types: ['array'], items: ['object'] });
    expect(byPath.get('kind')?.types).toEqual(['string']);
    expect(byPath.get('score')?.types).toEqual(['number', 'string']);
    expect(byPath.get('address.city')?.required).toBe(true);
  });

  it('lists target fields as the dotted names a map writes, objects field by field', () => {
    const paths = fieldsOfSchema(contact, 'target').map((field) => field.path);
    expect(paths).toEqual(['email', 'utm.source', 'age', 'address.city', 'address.zip', 'tags', 'kind', 'score']);
  });

  it('knows whether a destination takes fields it does not list', () => {
    expect(acceptsOtherFields({ type: 'object' })).toBe(true);
    expect(acceptsOtherFields({ type: 'object', additionalProperties: false })).toBe(false);
  });
});

describe('fields seen in records', () => {
  it('collects paths and the types seen, and merges them after the schema', () => {
    const seen = fieldsOfRecords([
      { email: 'a@b.c', extra: 1, nested: { deep: true }, list: [{ x: 'y' }] },
      { email: null, extra: 'two' },
    ]);
    const byPath = new Map(seen.map((field) => [field.path, field]));
    expect(byPath.get('extra')?.types).toEqual(['integer', 'string']);
    expect(byPath.get('nested.deep')?.types).toEqual(['boolean']);
    expect(byPath.get('list[].x')?.types).toEqual(['string']);
    const merged = mergeFields(fieldsOfSchema({ type: 'object', properties: { email: { type: 'string' }, vague: {} } }, 'source'), [...seen, { path: 'vague', types: ['number'], required: false, origin: 'sample' }]);
    expect(merged[0]).toMatchObject({ path: 'email', origin: 'both', types: ['string'] });
    expect(merged[1]).toMatchObject({ path: 'vague', origin: 'both', types: ['number'] });
    expect(merged.find((field) => field.path === 'extra')?.origin).toBe('sample');
  });
});
