import { ConvertFailure, fieldMapInvalid } from '../fieldmap-errors.js';
import type { ConverterDefinition } from './convert-types.js';
import { describeType } from './text-converters.js';

// Plain decimal notation only: `0x1f`, `1_000`, `Infinity` and locale forms like `1.234,5` are refused rather
// than guessed at.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function toNumber(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw new ConvertFailure(value, `${what}: not a finite number`, 'fix the value at the source');
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (DECIMAL.test(text)) {
      const parsed = Number(text);
      if (Number.isFinite(parsed)) return parsed;
    }
    throw new ConvertFailure(value, `not a number`, 'numbers are written in plain decimal notation (1234.5); fix the value at the source or add a default');
  }
  throw new ConvertFailure(value, `not a number (got ${describeType(value)})`, 'map a numeric field here');
}

function noOptions(name: string, options: unknown, field: string): void {
  if (options !== undefined) throw fieldMapInvalid(field, `convert '${name}' takes no options`, `write it as the bare name: convert: ${name}`);
}

export const number: ConverterDefinition = {
  info: {
    name: 'number',
    description: 'Reads a decimal number from text ("1234.5", " 42 ", "1e3"); numbers pass through.',
    input: 'string | number',
    output: 'number',
    examples: [{ convert: 'number', input: ' 1234.50 ', output: 1234.5 }],
  },
  arrays: 'each',
  create(options, context) {
    noOptions('number', options, context.field);
    return (value) => toNumber(value, 'number');
  },
};

export const integer: ConverterDefinition = {
  info: {
    name: 'integer',
    description: 'Like number, but the value must be a whole number ("42", "42.0"); 42.5 fails rather than being rounded.',
    input: 'string | number',
    output: 'integer',
    examples: [{ convert: 'integer', input: '42.0', output: 42 }],
  },
  arrays: 'each',
  create(options, context) {
    noOptions('integer', options, context.field);
    return (value) => {
      const parsed = toNumber(value, 'integer');
      if (!Number.isSafeInteger(parsed)) {
        throw new ConvertFailure(value, 'not a whole number', 'use convert: number for fractions, or round the value at the source');
      }
      return parsed;
    };
  },
};

const TRUE_WORDS: ReadonlySet<string> = new Set(['true', 'yes', 'y', '1', 'on']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['false', 'no', 'n', '0', 'off']);

export const boolean: ConverterDefinition = {
  info: {
    name: 'boolean',
    description: 'Reads yes/no: true/false, yes/no, y/n, on/off, 1/0 (any case); booleans pass through.',
    input: 'string | number | boolean',
    output: 'boolean',
    examples: [
      { convert: 'boolean', input: 'Yes', output: true },
      { convert: 'boolean', input: 0, output: false },
    ],
  },
  arrays: 'each',
  create(options, context) {
    noOptions('boolean', options, context.field);
    return (value) => {
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === 0) return value === 1;
      if (typeof value === 'string') {
        const word = value.trim().toLowerCase();
        if (TRUE_WORDS.has(word)) return true;
        if (FALSE_WORDS.has(word)) return false;
      }
      throw new ConvertFailure(value, 'not a yes/no value', 'accepted: true/false, yes/no, y/n, on/off, 1/0');
    };
  },
};
