import { ConfigError } from './config-error.js';
import { childPointer } from './json-pointer.js';
import type { YamlSource } from './yaml-source.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface EnvResolution {
  /** The file's data with every `${VAR}` replaced by its value and every `$${` by a literal `${`. */
  readonly data: unknown;
  /** Pointer of each string that used variables -> the variables' names (their values are never shown). */
  readonly references: ReadonlyMap<string, readonly string[]>;
  /** Missing variables and malformed references, at their positions. */
  readonly problems: readonly ConfigError[];
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Resolves `${VAR}` and `${VAR:-default}` in every string value (the default applies when VAR is unset or
 * empty, as in a shell); `$${` writes a literal `${`. Keys are left alone. Problems are returned, not thrown,
 * so the caller can report the file's shape first.
 */
export function resolveEnvReferences(source: YamlSource, env: Environment): EnvResolution {
  const references = new Map<string, string[]>();
  const problems: ConfigError[] = [];
  const reported = new Set<string>();

  const resolveString = (value: string, pointer: string): string => {
    if (!value.includes('${')) return value;
    let result = '';
    let index = 0;
    while (index < value.length) {
      const dollar = value.indexOf('$', index);
      if (dollar === -1) {
        result += value.slice(index);
        break;
      }
      result += value.slice(index, dollar);
      if (value.startsWith('$${', dollar)) {
        result += '${';
        index = dollar + 3;
        continue;
      }
      if (!value.startsWith('${', dollar)) {
        result += '$';
        index = dollar + 1;
        continue;
      }
      const close = value.indexOf('}', dollar + 2);
      const inner = close === -1 ? undefined : value.slice(dollar + 2, close);
      const match = inner === undefined ? null : REFERENCE.exec(inner);
      const name = match?.[1];
      if (match === null || name === undefined) {
        const written = close === -1 ? value.slice(dollar, dollar + 30) : value.slice(dollar, Math.min(close + 1, dollar + 40));
        problems.push(
          new ConfigError('CONFIG_BAD_ENV_REFERENCE', source.positionInText(pointer, dollar), `malformed environment reference '${written}'`, {
            hint: 'write ${NAME} or ${NAME:-default} (NAME: letters, digits, underscores), or $${ for a literal ${',
          }),
        );
        return value;
      }
      const fallback = match[2];
      const names = references.get(pointer) ?? [];
      names.push(name);
      references.set(pointer, names);
      const set = env[name];
      if (set !== undefined && (set !== '' || fallback === undefined)) {
        result += set;
      } else if (fallback !== undefined) {
        result += fallback;
      } else if (!reported.has(name)) {
        reported.add(name);
        const place = source.locate(pointer).keyPath;
        problems.push(
          new ConfigError(
            'CONFIG_MISSING_ENV',
            source.positionInText(pointer, dollar),
            `environment variable ${name} is not set${place === '' ? '' : ` (used by '${place}')`}`,
            {
              hint: `export ${name}=… or put it in .env (or give a default: \${${name}:-value})`,
              details: { variable: name },
            },
          ),
        );
      }
      index = (close === -1 ? value.length : close) + 1;
    }
    return result;
  };

  const walk = (value: unknown, pointer: string): unknown => {
    if (typeof value === 'string') return resolveString(value, pointer);
    if (Array.isArray(value)) return value.map((item: unknown, index) => walk(item, childPointer(pointer, index)));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, childPointer(pointer, key))]));
    }
    return value;
  };

  const data = walk(source.data, '');
  return { data, references, problems };
}

/** A value as a message may show it: quoted, or named by its variables when it came from the environment. */
export function quoteValue(references: ReadonlyMap<string, readonly string[]>, pointer: string, value: string): string {
  const names = references.get(pointer);
  return names === undefined ? `'${value}'` : `the value of ${names.map((name) => `\${${name}}`).join(', ')}`;
}
