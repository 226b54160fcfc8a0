import { describe, expect, it } from 'vitest';
import type { ConverterView, FieldView } from './api-types.js';
import { checkMapping, parseTypeText } from './type-compat.js';

// The shapes of core's converter catalogue (core/src/fieldmap/convert), as the studio receives them.
const converters: ConverterView[] = [
  { name: 'phone-e164', description: '', input: 'string | number', output: 'string' },
  { name: 'email', description: '', input: 'string', output: 'string' },
  { name: 'string', description: '', input: 'string | number | boolean | object', output: 'string' },
  { name: 'number', description: '', input: 'string | number', output: 'number' },
  { name: 'integer', description: '', input: 'string | number', output: 'integer' },
  { name: 'boolean', description: '', input: 'string | number | boolean', output: 'boolean' },
  { name: 'split', description: '', input: 'string | string[]', output: 'string[]' },
  { name: 'join', description: '', input: '(string | number | boolean)[]', output: 'string' },
];

const field = (path: string, types: FieldView['types'], extra: Partial<FieldView> = {}): FieldView => ({ path, types, required: false, origin: 'schema', ...extra });

describe('parseTypeText', () => {
  it('reads the catalogue forms', () => {
    expect(parseTypeText('string | number')).toEqual({ scalars: new Set(['string', 'number']), items: undefined });
    expect(parseTypeText('string[]')).toEqual({ scalars: new Set(), items: new Set(['string']) });
    expect(parseTypeText('(string | number | boolean)[]')).toEqual({ scalars: new Set(), items: new Set(['string', 'number', 'boolean']) });
    expect(parseTypeText('string | string[]')).toEqual({ scalars: new Set(['string']), items: new Set(['string']) });
  });
});

describe('checkMapping', () => {
  const tags = field('tags', ['array'], { items: ['string'] });
  const text = field('name', ['string']);
  const amount = field('amount', ['number']);

  it('flags a list into text, and join fixes it', () => {
    const verdict = checkMapping('tags', tags, text, converters);
    expect(verdict).toMatchObject({ level: 'mismatch', suggest: 'join' });
    expect(checkMapping({ from: 'tags', convert: { join: ', ' } }, tags, text, converters).level).toBe('ok');
  });

  it('flags text into a list, and split fixes it', () => {
    const list = field('labels', ['array'], { items: ['string'] });
    expect(checkMapping('name', text, list, converters)).toMatchObject({ level: 'mismatch', suggest: 'split' });
    expect(checkMapping({ from: 'name', convert: { split: ';' } }, text, list, converters).level).toBe('ok');
  });

  it('flags text into a number, and number fixes it; integers fit numbers', () => {
    expect(checkMapping('name', text, amount, converters)).toMatchObject({ level: 'mismatch', suggest: 'number' });
    expect(checkMapping({ from: 'name', convert: 'number' }, text, amount, converters).level).toBe('ok');
    expect(checkMapping('age', field('age', ['integer', 'null']), amount, converters).level).toBe('ok');
  });

  it('converts lists element-wise and refuses a convert that cannot take the value', () => {
    const phones = field('phones', ['array'], { items: ['string'] });
    expect(checkMapping({ from: 'phones', convert: 'phone-e164' }, phones, field('numbers', ['array'], { items: ['string'] }), converters).level).toBe('ok');
    expect(checkMapping({ from: 'tags', convert: 'join' }, text, text, converters)).toMatchObject({ level: 'mismatch' });
    expect(checkMapping({ from: 'x', convert: 'nope' }, text, text, converters)).toMatchObject({ level: 'mismatch', message: "unknown convert 'nope'" });
  });

  it('warns when only some of the source types fit', () => {
    expect(checkMapping('score', field('score', ['number', 'string']), amount, converters).level).toBe('warning');
  });

  it('judges constants by their value and trusts expressions and untyped targets', () => {
    expect(checkMapping({ const: 'x' }, undefined, amount, converters).level).toBe('mismatch');
    expect(checkMapping({ const: 3 }, undefined, amount, converters).level).toBe('ok');
    expect(checkMapping({ expr: '$count(tags)' }, undefined, amount, converters).level).toBe('ok');
    expect(checkMapping('tags', tags, undefined, converters).level).toBe('ok');
    expect(checkMapping('tags', tags, field('anything', ['any']), converters).level).toBe('ok');
  });

  it('suggests the convert a formatted target wants even when the types fit', () => {
    expect(checkMapping('email', text, field('email', ['string'], { format: 'email' }), converters)).toEqual({ level: 'ok', suggest: 'email' });
    expect(checkMapping({ from: 'email', convert: 'email' }, text, field('email', ['string'], { format: 'email' }), converters)).toEqual({ level: 'ok' });
    expect(checkMapping('number', text, field('phone', ['string']), converters)).toEqual({ level: 'ok', suggest: 'phone-e164' });
  });
});
