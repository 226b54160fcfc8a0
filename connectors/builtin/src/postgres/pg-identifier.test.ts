import { describe, expect, it } from 'vitest';
import { FerryError } from '@ferry/core';
import { assertPgIdentifier, identifierProblem, qualifiedName, quoteIdentifier, suggestedName } from './pg-identifier.js';

describe('PostgreSQL identifiers', () => {
  it('takes any name PostgreSQL can hold, quoted exactly as written', () => {
    for (const name of ['contacts', 'First Name', 'order', 'a"b', 'x; DROP TABLE y', 'é'.repeat(31), 'XMIN']) expect(identifierProblem(name, 'column')).toBeUndefined();
    expect(quoteIdentifier('order')).toBe('"order"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(qualifiedName('public', 'First Name')).toBe('"public"."First Name"');
  });

  it('refuses empty, too long (in bytes), NUL and system column names, with a fix in the hint', () => {
    expect(identifierProblem('', 'table')).toContain('empty');
    expect(identifierProblem('x'.repeat(64), 'table')).toContain('63 bytes');
    expect(identifierProblem('é'.repeat(32), 'column')).toContain('63 bytes');
    expect(identifierProblem('a\u0000b', 'column')).toContain('NUL');
    expect(identifierProblem('ctid', 'column')).toContain('system column');
    expect(identifierProblem('ctid', 'table')).toBeUndefined();
    let thrown: unknown;
    try {
      assertPgIdentifier('xmin', 'column', 'rename it in the map');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FerryError);
    expect(thrown).toMatchObject({ code: 'POSTGRES_BAD_IDENTIFIER', hint: 'rename it in the map', details: { column: 'xmin', systemic: true } });
  });

  it('suggests a plain replacement name', () => {
    expect(suggestedName('first name')).toBe('first_name');
    expect(suggestedName('xmin')).toBe('xmin_field');
    expect(suggestedName('x'.repeat(70))).toHaveLength(40);
  });
});
