import { stringify } from 'safe-stable-stringify';
import { ConvertFailure, fieldMapInvalid } from '../fieldmap-errors.js';
import type { ConvertContext, ConverterDefinition, ConvertStep } from './convert-types.js';

/** Text from a scalar: strings as they are, finite numbers and booleans as written; anything else fails. */
export function toText(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  throw new ConvertFailure(value, `${what} needs text, got ${describeType(value)}`, 'map a text field here, or pick the text out of the object with a path such as `address.city`');
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isFinite(value) ? 'a number' : 'a non-finite number';
  return `a ${typeof value}`;
}

function noOptions(name: string, options: unknown, context: ConvertContext): void {
  if (options !== undefined) {
    throw fieldMapInvalid(context.field, `convert '${name}' takes no options`, `write it as the bare name: convert: ${name}`);
  }
}

function simple(name: 'lowercase' | 'uppercase' | 'trim', step: ConvertStep, description: string, example: [string, string]): ConverterDefinition {
  return {
    info: {
      name,
      description,
      input: 'string | number | boolean',
      output: 'string',
      examples: [{ convert: name, input: example[0], output: example[1] }],
    },
    arrays: 'each',
    create(options, context) {
      noOptions(name, options, context);
      return step;
    },
  };
}

export const lowercase = simple('lowercase', (value) => toText(value, 'lowercase').toLowerCase(), 'Lower-cases text.', ['Ada LOVELACE', 'ada lovelace']);
export const uppercase = simple('uppercase', (value) => toText(value, 'uppercase').toUpperCase(), 'Upper-cases text.', ['gb', 'GB']);
export const trim = simple('trim', (value) => toText(value, 'trim').trim(), 'Removes spaces at both ends; text that becomes empty counts as missing.', ['  Ada  ', 'Ada']);

export const string: ConverterDefinition = {
  info: {
    name: 'string',
    description: 'Turns a value into text: numbers and booleans as written, objects as JSON.',
    input: 'string | number | boolean | object',
    output: 'string',
    examples: [
      { convert: 'string', input: 42, output: '42' },
      { convert: 'string', input: { a: 1 }, output: '{"a":1}' },
    ],
  },
  arrays: 'each',
  create(options, context) {
    noOptions('string', options, context);
    return (value) => {
      if (value !== null && typeof value === 'object') return stringify(value) ?? '';
      return toText(value, 'string');
    };
  },
};

// Deliberately loose: one @, something before it, a dot in the domain, no spaces. Mailbox existence is the
// destination's business; this catches swapped fields and typos such as a missing @.
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

export const email: ConverterDefinition = {
  info: {
    name: 'email',
    description: 'Trims and lower-cases an e-mail address and checks that it looks like one (name@domain.tld).',
    input: 'string',
    output: 'string',
    examples: [{ convert: 'email', input: ' Ada@Example.COM ', output: 'ada@example.com' }],
  },
  arrays: 'each',
  create(options, context) {
    noOptions('email', options, context);
    return (value) => {
      if (typeof value !== 'string') {
        throw new ConvertFailure(value, `not an e-mail address (got ${describeType(value)})`, 'map the field that holds the e-mail address');
      }
      const address = value.trim().toLowerCase();
      if (!EMAIL.test(address)) {
        throw new ConvertFailure(value, 'not an e-mail address', 'fix the address at the source, or drop `convert: email` to pass it through unchecked');
      }
      return address;
    };
  },
};

function separatorOption(name: 'split' | 'join', options: unknown, fallback: string, context: ConvertContext): string {
  if (options === undefined) return fallback;
  if (typeof options !== 'string' || (name === 'split' && options === '')) {
    throw fieldMapInvalid(context.field, `convert '${name}' needs a ${name === 'split' ? 'non-empty ' : ''}separator text, got ${describeType(options)}`, `write it as { ${name}: "${fallback}" }`);
  }
  return options;
}

function splitText(text: string, separator: string, out: string[]): void {
  for (const part of text.split(separator)) {
    const trimmed = part.trim();
    if (trimmed !== '') out.push(trimmed);
  }
}

export const split: ConverterDefinition = {
  info: {
    name: 'split',
    description: 'Splits text at a separator (default ",") into a list of trimmed, non-empty parts. A list is split element by element and flattened.',
    input: 'string | string[]',
    output: 'string[]',
    options: '{ split: "," }',
    examples: [
      { convert: { split: ',' }, input: 'vip, lead,,new ', output: ['vip', 'lead', 'new'] },
      { convert: { split: ';' }, input: ['a;b', 'c'], output: ['a', 'b', 'c'] },
    ],
  },
  arrays: 'whole',
  optionKey: 'split',
  create(options, context) {
    const separator = separatorOption('split', options, ',', context);
    return (value) => {
      const out: string[] = [];
      if (Array.isArray(value)) {
        for (const item of value) if (item !== null && item !== undefined) splitText(toText(item, 'split'), separator, out);
      } else {
        splitText(toText(value, 'split'), separator, out);
      }
      return out;
    };
  },
};

export const join: ConverterDefinition = {
  info: {
    name: 'join',
    description: 'Joins a list into one text with a separator (default ", "); missing elements are left out. A single value becomes its text.',
    input: '(string | number | boolean)[]',
    output: 'string',
    options: '{ join: ", " }',
    examples: [{ convert: { join: ' | ' }, input: ['vip', null, 'lead'], output: 'vip | lead' }],
  },
  arrays: 'whole',
  optionKey: 'join',
  create(options, context) {
    const separator = separatorOption('join', options, ', ', context);
    return (value) => {
      if (!Array.isArray(value)) return toText(value, 'join');
      const parts: string[] = [];
      for (const item of value) {
        if (item === null || item === undefined || item === '') continue;
        parts.push(toText(item, 'join'));
      }
      return parts.join(separator);
    };
  },
};
