import { describe, expect, it } from 'vitest';
import { converters } from './catalogue.js';
import { compileConvert } from './compile-convert.js';

describe('converters catalogue', () => {
  it('lists every convert with a description, types and at least one example', () => {
    for (const [name, info] of Object.entries(converters)) {
      expect(info.name).toBe(name);
      expect(info.description.length).toBeGreaterThan(10);
      expect(info.input).toBeTruthy();
      expect(info.output).toBeTruthy();
      expect(info.examples.length).toBeGreaterThan(0);
    }
    expect(Object.keys(converters).sort()).toEqual(
      ['boolean', 'date', 'email', 'integer', 'join', 'lowercase', 'number', 'phone-e164', 'split', 'string', 'trim', 'uppercase'].sort(),
    );
  });

  it('is truthful: every example converts as shown', () => {
    for (const info of Object.values(converters)) {
      for (const example of info.examples) {
        const step = compileConvert(example.convert, { field: 'f', defaultCountry: undefined });
        expect(step(example.input), `${info.name} ${JSON.stringify(example)}`).toEqual(example.output);
      }
    }
  });
});
