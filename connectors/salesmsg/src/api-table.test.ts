import { describe, expect, it } from 'vitest';
import { OPERATIONS, SCOPES, type ApiOperation } from './api-table.js';

const rows = Object.entries(OPERATIONS) as [string, ApiOperation][];

describe('the table of API facts', () => {
  it('gives every operation a path, a scope of the API and a source', () => {
    const scopes = new Set<string>([...SCOPES.read, ...SCOPES.write]);
    for (const [name, op] of rows) {
      expect(op.path, name).toMatch(/^\/[a-z/{}A-Z-]*$/);
      expect(scopes.has(op.scope), `${name}: ${op.scope}`).toBe(true);
      expect(op.source.length, name).toBeGreaterThan(10);
    }
  });

  it('pairs paging with the answer shape it needs', () => {
    for (const [name, op] of rows) {
      if (op.paging.kind === 'page') expect(op.unwrap, name).toBe('data+meta');
      if (op.paging.kind === 'offset') expect(op.unwrap, name).toBe('array');
      if (op.paramsIn === 'json') expect(['POST', 'PUT', 'PATCH'], name).toContain(op.method);
    }
  });

  it('keeps the list of unverified facts explicit (changing one is a deliberate edit here)', () => {
    expect(rows.filter(([, op]) => !op.verified).map(([name]) => name)).toEqual([
      'contacts.list',
      'contacts.list-legacy',
      'contacts.opt-out',
      'contacts.opt-in',
      'tags.list',
      'tags.create',
    ]);
  });

  it('records the oddities the connector works around', () => {
    expect(OPERATIONS['contacts.list']).toMatchObject({ method: 'POST', scope: 'contacts:write', paging: { first: 1, size: 'length' } });
    expect(OPERATIONS['contacts.create'].paramsIn).toBe('query');
    expect(OPERATIONS['contacts.update'].paramsIn).toBe('json');
  });
});
