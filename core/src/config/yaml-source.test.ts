import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parseYamlSource } from './yaml-source.js';

function syntaxErrorOf(text: string): ConfigError {
  try {
    parseYamlSource(text, 'x.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseYamlSource', () => {
  it('gives plain JSON and the position of every key and value', () => {
    const source = parseYamlSource('name: a\nfrom:\n  stream: contacts\nsteps:\n  - action: x\n  - { action: "y z" }\n', 'p.yaml');
    expect(source.data).toEqual({ name: 'a', from: { stream: 'contacts' }, steps: [{ action: 'x' }, { action: 'y z' }] });
    expect(source.positionOf('/from/stream', 'key')).toEqual({ file: 'p.yaml', line: 3, column: 3 });
    expect(source.positionOf('/from/stream', 'value')).toEqual({ file: 'p.yaml', line: 3, column: 11 });
    expect(source.positionOf('/steps/1', 'value')).toEqual({ file: 'p.yaml', line: 6, column: 5 });
    // Characters inside a quoted one-line string are exact; the quote is not part of the value.
    expect(source.positionInText('/steps/1/action', 2)).toEqual({ file: 'p.yaml', line: 6, column: 18 });
    const positions = source.keyPositions();
    expect(positions['steps[0].action']).toEqual({ file: 'p.yaml', line: 5, column: 5 });
    expect(positions['from.stream']).toEqual({ file: 'p.yaml', line: 3, column: 3 });
  });

  it('falls back to the nearest written ancestor for places that are not in the file', () => {
    const source = parseYamlSource('from:\n  stream: contacts\n', 'p.yaml');
    expect(source.positionOf('/from/params/x')).toEqual({ file: 'p.yaml', line: 1, column: 1 });
    expect(source.locate('/nothing').pointer).toBe('');
  });

  it('does not count offsets into strings whose source differs from their value', () => {
    const source = parseYamlSource('a: "x\\ty"\nb: |\n  multi\n  line\n', 'p.yaml');
    expect(source.positionInText('/a', 3)).toEqual({ file: 'p.yaml', line: 1, column: 4 });
    expect(source.positionInText('/b', 3)).toEqual({ file: 'p.yaml', line: 2, column: 4 });
  });

  it('rejects syntax errors, duplicate keys and second documents at their position', () => {
    const duplicate = syntaxErrorOf('name: a\nfrom: x\nname: b\n');
    expect(duplicate.code).toBe('CONFIG_SYNTAX');
    expect(duplicate.message).toBe("x.yaml:3:1: duplicate key 'name'");
    expect(duplicate.hint).toMatch(/once/);

    const twoDocuments = syntaxErrorOf('name: a\n---\nname: b\n');
    expect(twoDocuments.message).toMatch(/^x\.yaml:2:1: the file holds more than one YAML document/);

    const unclosed = syntaxErrorOf('name: a\nmap: { a: b\n');
    expect(unclosed.message).toMatch(/^x\.yaml:\d+:\d+: YAML syntax error/);
    expect(unclosed.line).toBeGreaterThanOrEqual(2);

    const badIndent = syntaxErrorOf('a:\n  - b\n c: 1\n');
    expect(badIndent.message).toMatch(/^x\.yaml:3:\d+: /);
  });

  it('rejects values JSON cannot hold, keys that are not text, and aliases into themselves', () => {
    expect(syntaxErrorOf('a: !!binary aGVsbG8=\n').message).toMatch(/^x\.yaml:1:\d+: unsupported value \(tag !!binary\)/);
    expect(syntaxErrorOf('a: .inf\n').message).toMatch(/^x\.yaml:1:4: unsupported value \(a number that is not finite/);
    expect(syntaxErrorOf('? [a, b]\n: 1\n').message).toMatch(/^x\.yaml:1:\d+: a key must be plain text/);
    expect(syntaxErrorOf('a: &x [*x]\n').message).toMatch(/alias refers to a value that contains it/);
    expect(syntaxErrorOf('a: !custom x\n').message).toMatch(/^x\.yaml:1:4: Unresolved tag/);
    expect(syntaxErrorOf('1: a\n"1": b\n').message).toBe("x.yaml:2:1: duplicate key '1'");
  });

  it('stops aliases that expand a small file into a huge value', () => {
    const lines = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'];
    for (let level = 0; level < 6; level++) {
      const previous = String.fromCharCode(97 + level);
      const next = String.fromCharCode(98 + level);
      lines.push(`${next}: &${next} [*${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}, *${previous}]`);
    }
    expect(syntaxErrorOf(`${lines.join('\n')}\n`).message).toMatch(/too many or too deeply nested values/);
  });

  it('keeps a key named __proto__ as an ordinary key', () => {
    const source = parseYamlSource('__proto__: { polluted: true }\n', 'x.yaml');
    const data = source.data as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reads an empty file as null and positions it at 1:1', () => {
    const source = parseYamlSource('# nothing\n', 'x.yaml');
    expect(source.data).toBeNull();
    expect(source.positionOf('')).toEqual({ file: 'x.yaml', line: 1, column: 1 });
  });
});
