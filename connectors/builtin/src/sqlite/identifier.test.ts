import { describe, expect, it } from 'vitest';
import { FerryError } from '@ferry/core';
import { assertIdentifier, isPlainIdentifier, quoteIdentifier, tableNameForStream } from './identifier.js';

describe('identifiers', () => {
  it('accepts plain names, SQL keywords included (they are always quoted)', () => {
    for (const name of ['contacts', 'first_name', '_x', 'Order', 'a1']) expect(isPlainIdentifier(name)).toBe(true);
    expect(quoteIdentifier('order')).toBe('"order"');
  });

  it('rejects names that are not plain, or reserved, with a fix in the hint', () => {
    for (const name of ['', 'first name', '1st', 'a"b', 'a;drop table x', 'sqlite_master', '_ferry_columns', 'x'.repeat(64), 'é']) {
      expect(isPlainIdentifier(name)).toBe(false);
      expect(() => assertIdentifier(name, 'column', 'rename it')).toThrow(FerryError);
    }
    let thrown: unknown;
    try {
      assertIdentifier('first name', 'column', 'rename it in the map');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'SQLITE_BAD_IDENTIFIER', hint: 'rename it in the map', details: { column: 'first name', systemic: true } });
  });

  it('derives a table name from any stream name', () => {
    expect(tableNameForStream('contacts')).toBe('contacts');
    expect(tableNameForStream('contacts.tasks')).toBe('contacts_tasks');
    expect(tableNameForStream('2024-leads')).toBe('_2024_leads');
  });
});
