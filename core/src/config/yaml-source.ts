import { LineCounter, Scalar, type Alias, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type YAMLError } from 'yaml';
import type { SourcePosition } from '../contract/pipeline.js';
import { ConfigError, throwProblems } from './config-error.js';
import { childPointer, keyPathOf, type PointerSegment } from './json-pointer.js';

/** Where one value of a file was written. */
export interface NodeLocation {
  readonly pointer: string;
  /** The same place for people: `then[0].action`. */
  readonly keyPath: string;
  /** Where the key was written, for members of a mapping. */
  readonly key: SourcePosition | undefined;
  /** Where the value starts (just after the key when the value is empty). */
  readonly value: SourcePosition;
  /**
   * For a string written on one line without escapes: the position of its first character, so that an offset
   * inside the string (an expression's syntax error, a `${VAR}`) becomes an exact column.
   */
  readonly textStart: SourcePosition | undefined;
}

/** A parsed YAML file: its plain JSON value and where each part of it was written. */
export interface YamlSource {
  readonly file: string;
  readonly data: unknown;
  /** The location of a JSON pointer, or of its nearest written ancestor. */
  locate(pointer: string): NodeLocation;
  /** The key's position for mapping members (when `prefer` is 'key'), else the value's. */
  positionOf(pointer: string, prefer?: 'key' | 'value'): SourcePosition;
  /** The position of character `offset` of the string at `pointer`, or the string's start if it cannot be exact. */
  positionInText(pointer: string, offset: number): SourcePosition;
  /** Every written place by key path (`map.phone`, `then[0].action`), keys where there are keys. */
  keyPositions(): Record<string, SourcePosition>;
}

// Aliases can expand a small file into a huge value ("billion laughs"); no ferry file comes near these.
const MAX_VALUES = 20_000;
const MAX_DEPTH = 64;

type YamlNode = NonNullable<Document['contents']>;

/**
 * Parses one YAML document into plain JSON values (objects, arrays, strings, finite numbers, booleans, null),
 * keeping the position of every key and value. Syntax errors, duplicate keys, a second document, unknown tags
 * and values JSON cannot hold are ConfigErrors at their position.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const positionAt = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(Math.max(0, offset));
    return { file, line, column: col };
  };

  let document: Document;
  try {
    document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    throw new ConfigError('CONFIG_SYNTAX', positionAt(0), `the file is not valid YAML (${describeUnknown(error)})`, {
      hint: 'check the YAML syntax: indentation, quotes, and a ":" after every key',
      cause: error,
    });
  }
  const yamlProblems = [...document.errors, ...document.warnings].map((problem) => syntaxError(problem, text, positionAt));
  throwProblems(yamlProblems);

  const locations = new Map<string, NodeLocation>();
  const problems: ConfigError[] = [];
  let count = 0;
  let tooLarge = false;

  // Alias.resolve searches the document; an alias repeated through other aliases must not search each time.
  const aliasTargets = new Map<Alias, unknown>();
  const resolveAlias = (alias: Alias): unknown => {
    if (!aliasTargets.has(alias)) aliasTargets.set(alias, alias.resolve(document) ?? null);
    return aliasTargets.get(alias);
  };

  const textStartOf = (node: Scalar): SourcePosition | undefined => {
    if (typeof node.value !== 'string' || node.range === undefined || node.range === null) return undefined;
    const [start, end] = node.range;
    const raw = text.slice(start, end);
    if (raw.includes('\n')) return undefined;
    if (node.type === Scalar.PLAIN && raw === node.value) return positionAt(start);
    if ((node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) && raw.slice(1, -1) === node.value) {
      return positionAt(start + 1);
    }
    return undefined;
  };

  const convert = (
    input: YamlNode | null,
    segments: PointerSegment[],
    pointer: string,
    keyPosition: SourcePosition | undefined,
    fallback: SourcePosition,
    ancestors: readonly unknown[],
  ): unknown => {
    count += 1;
    const node: unknown = isAlias(input) ? resolveAlias(input) : input;
    const valuePosition =
      node !== null && typeof node === 'object' && 'range' in node && Array.isArray(node.range)
        ? positionAt(Number(node.range[0]))
        : (keyPosition ?? fallback);
    const location: NodeLocation = {
      pointer,
      keyPath: keyPathOf(segments),
      key: keyPosition,
      value: valuePosition,
      textStart: isScalar(node) ? textStartOf(node) : undefined,
    };
    locations.set(pointer, location);

    if (tooLarge) return null;
    if (count > MAX_VALUES || segments.length > MAX_DEPTH) {
      tooLarge = true;
      problems.push(
        new ConfigError('CONFIG_SYNTAX', valuePosition, 'the file expands to too many or too deeply nested values', {
          hint: `keep nesting under ${MAX_DEPTH} levels and avoid aliases that repeat large parts of the file`,
        }),
      );
      return null;
    }
    if (ancestors.includes(node)) {
      problems.push(
        new ConfigError('CONFIG_SYNTAX', valuePosition, 'an alias refers to a value that contains it', {
          hint: 'a YAML alias (*name) must not point at one of its own parents: copy the value instead',
        }),
      );
      return null;
    }
    const inside = [...ancestors, node];

    if (node === null || node === undefined) return null;
    if (isMap(node)) {
      const result: Record<string, unknown> = {};
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = isAlias(pair.key) ? resolveAlias(pair.key) : pair.key;
        const keyAt = isScalar(keyNode) && keyNode.range ? positionAt(keyNode.range[0]) : valuePosition;
        const key = isScalar(keyNode) ? keyNode.value : undefined;
        if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
          problems.push(
            new ConfigError('CONFIG_SYNTAX', keyAt, 'a key must be plain text', {
              hint: 'write keys as plain words (`name:`), not lists, mappings or empty keys',
            }),
          );
          continue;
        }
        const name = String(key);
        if (Object.hasOwn(result, name)) {
          problems.push(
            new ConfigError('CONFIG_SYNTAX', keyAt, `duplicate key '${name}'`, {
              hint: 'each key may appear once in a mapping: remove or merge the repeated one',
            }),
          );
          continue;
        }
        const childSegments = [...segments, name];
        const value = convert(
          pair.value as YamlNode | null,
          childSegments,
          childPointer(pointer, name),
          keyAt,
          keyAt,
          inside,
        );
        // defineProperty: a key named `__proto__` must stay an ordinary key.
        Object.defineProperty(result, name, { value, enumerable: true, writable: true, configurable: true });
      }
      return result;
    }
    if (isSeq(node)) {
      return node.items.map((item, index) =>
        convert(item as YamlNode | null, [...segments, index], childPointer(pointer, index), undefined, valuePosition, inside),
      );
    }
    if (isScalar(node)) {
      const value: unknown = node.value;
      if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      problems.push(
        new ConfigError('CONFIG_SYNTAX', valuePosition, `unsupported value ${describeScalar(node)}`, {
          hint: 'use a plain string, a finite number, true/false or null (quote it to keep it as text)',
        }),
      );
      return null;
    }
    return null;
  };

  const start = positionAt(0);
  const data = convert(document.contents, [], '', undefined, start, []);
  throwProblems(problems);

  const locate = (pointer: string): NodeLocation => {
    let current = pointer;
    for (;;) {
      const found = locations.get(current);
      if (found !== undefined) return found;
      if (current === '') return { pointer: '', keyPath: '', key: undefined, value: start, textStart: undefined };
      current = current.slice(0, current.lastIndexOf('/'));
    }
  };

  return {
    file,
    data,
    locate,
    positionOf(pointer, prefer = 'key') {
      const location = locate(pointer);
      return prefer === 'key' ? (location.key ?? location.value) : location.value;
    },
    positionInText(pointer, offset) {
      const location = locations.get(pointer);
      if (location === undefined) return locate(pointer).value;
      if (location.textStart === undefined) return location.value;
      return { ...location.textStart, column: location.textStart.column + Math.max(0, offset) };
    },
    keyPositions() {
      const positions: Record<string, SourcePosition> = {};
      for (const location of locations.values()) {
        if (location.keyPath !== '') positions[location.keyPath] = location.key ?? location.value;
      }
      return positions;
    },
  };
}

function syntaxError(problem: YAMLError, text: string, positionAt: (offset: number) => SourcePosition): ConfigError {
  const at = positionAt(problem.pos[0]);
  switch (problem.code) {
    case 'DUPLICATE_KEY': {
      const key = keyTextAt(text, problem.pos[0]);
      return new ConfigError('CONFIG_SYNTAX', at, `duplicate key${key === '' ? '' : ` '${key}'`}`, {
        hint: 'each key may appear once in a mapping: remove or merge the repeated one',
      });
    }
    case 'MULTIPLE_DOCS':
      return new ConfigError('CONFIG_SYNTAX', at, "the file holds more than one YAML document ('---' starts another)", {
        hint: 'keep one document per file: move what follows the second --- into a file of its own',
      });
    case 'TAG_RESOLVE_FAILED':
      return new ConfigError('CONFIG_SYNTAX', at, `${problem.message}`, {
        hint: 'remove the tag: ferry files use plain YAML values (quote a value to keep it as text)',
      });
    default:
      return new ConfigError('CONFIG_SYNTAX', at, `YAML syntax error: ${lowerFirst(problem.message)}`, {
        hint: 'check the YAML syntax here: indentation, matching quotes and brackets, and a ":" after every key',
      });
  }
}

/** The key written at `offset` (up to its colon), unquoted, for a duplicate-key message. */
function keyTextAt(text: string, offset: number): string {
  const rest = text.slice(offset, offset + 80).split('\n', 1)[0] ?? '';
  const quoted = /^(["'])(.*?)\1/.exec(rest);
  if (quoted !== null) return quoted[2] ?? '';
  return (rest.split(/:(\s|$)/, 1)[0] ?? '').trim();
}

/** Names what kind of value it is without repeating it: the value may be a secret. */
function describeScalar(node: Scalar): string {
  if (typeof node.value === 'number') return '(a number that is not finite, such as .inf or .nan)';
  return node.tag === undefined ? `(${typeof node.value})` : `(tag ${node.tag.replace('tag:yaml.org,2002:', '!!')})`;
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}

function describeUnknown(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
