import { describe, expect, it } from 'vitest';
import { COLUMN_TYPES } from '../sqlite/column-type.js';
import { pgTypeOf, toPgParam } from './pg-column-type.js';

const text = { name: 'c', pgType: 'text' };
const jsonb = { name: 'c', pgType: 'jsonb' };

describe('PostgreSQL column types', () => {
  it('maps the JSON types the SQLite warehouse decides to native PostgreSQL types', () => {
    expect(COLUMN_TYPES.map(pgTypeOf)).toEqual(['text', 'bigint', 'double precision', 'boolean', 'jsonb', 'jsonb', 'jsonb']);
  });

  it('binds JSON text to json columns, for every JSON type', () => {
    expect(toPgParam({ a: [1, null] }, jsonb)).toBe('{"a":[1,null]}');
    expect(toPgParam(['x', 2], jsonb)).toBe('["x",2]');
    expect(toPgParam('plain', jsonb)).toBe('"plain"');
    expect(toPgParam(true, jsonb)).toBe('true');
    expect(toPgParam(12n, jsonb)).toBe('12');
    expect(toPgParam({ big: 12n }, jsonb)).toBe('{"big":"12"}');
    expect(toPgParam(null, jsonb)).toBeNull();
  });

  it('binds plain values to other columns, objects and arrays as JSON text (never as PostgreSQL arrays)', () => {
    expect(toPgParam('x', text)).toBe('x');
    expect(toPgParam(1.5, text)).toBe(1.5);
    expect(toPgParam(Number.NaN, text)).toBeNull();
    expect(toPgParam(false, text)).toBe(false);
    expect(toPgParam(9007199254740993n, text)).toBe('9007199254740993');
    expect(toPgParam(['a', 'b'], text)).toBe('["a","b"]');
    expect(toPgParam(new Date('2024-01-02T03:04:05Z'), text)).toBe('2024-01-02T03:04:05.000Z');
    expect(toPgParam(undefined, text)).toBeNull();
  });
});
