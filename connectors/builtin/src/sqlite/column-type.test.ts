import { describe, expect, it } from 'vitest';
import { columnTypeOfSchema, columnTypeOfSqlType, columnTypeOfValue, fromSqlValue, sqlTypeOf, toSqlValue } from './column-type.js';

describe('column types', () => {
  it('reads the JSON type a schema describes, nullable and single-branch unions included', () => {
    expect(columnTypeOfSchema({ type: 'string', format: 'date-time' })).toBe('string');
    expect(columnTypeOfSchema({ type: ['integer', 'null'] })).toBe('integer');
    expect(columnTypeOfSchema({ type: ['integer', 'number'] })).toBe('number');
    expect(columnTypeOfSchema({ anyOf: [{ type: 'object' }, { type: 'null' }] })).toBe('object');
    expect(columnTypeOfSchema({ type: ['string', 'number'] })).toBe('any');
    expect(columnTypeOfSchema(undefined)).toBe('any');
  });

  it('maps JSON types to SQL types', () => {
    expect(['string', 'integer', 'number', 'boolean', 'object', 'array', 'any'].map((t) => sqlTypeOf(t as never))).toEqual(['TEXT', 'INTEGER', 'REAL', 'INTEGER', 'TEXT', 'TEXT', '']);
    expect(columnTypeOfSqlType('VARCHAR(20)')).toBe('string');
    expect(columnTypeOfSqlType('BIGINT')).toBe('integer');
    expect(columnTypeOfSqlType('DOUBLE')).toBe('number');
    expect(columnTypeOfSqlType('')).toBe('any');
  });

  it('infers a type from a value', () => {
    expect([1, 1.5, 'x', true, [1], { a: 1 }, null].map(columnTypeOfValue)).toEqual(['integer', 'number', 'string', 'boolean', 'array', 'object', 'any']);
  });

  it('stores values SQLite can bind and gives back what was written', () => {
    const cases: Array<[unknown, ReturnType<typeof columnTypeOfValue>]> = [
      ['text', 'string'],
      [42, 'integer'],
      [1.25, 'number'],
      [true, 'boolean'],
      [false, 'boolean'],
      [{ a: [1, { b: null }] }, 'object'],
      [['x', 2], 'array'],
      [null, 'any'],
    ];
    for (const [value, type] of cases) expect(fromSqlValue(toSqlValue(value), type)).toEqual(value);
    expect(toSqlValue(undefined)).toBeNull();
    expect(toSqlValue(Number.NaN)).toBeNull();
    expect(toSqlValue(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02T03:04:05.000Z');
  });
});
