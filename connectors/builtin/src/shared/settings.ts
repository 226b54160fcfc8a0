import { FerryError } from '@ferry/core';
import { isStringArray } from './is-string-array.js';

/**
 * Typed reads of a connection's settings. The loader validates them against the connector's configSchema first;
 * these reads narrow `unknown` for the compiler and still fail clearly when a caller skipped that validation.
 */

function invalidSetting(connector: string, key: string, expected: string): FerryError {
  return new FerryError('CONNECTION_CONFIG_INVALID', `${connector} connection setting '${key}' must be ${expected}`, {
    hint: `fix '${key}' under the connection's config in ferry.yaml (\`ferry validate\` checks it)`,
    details: { connector, setting: key },
  });
}

export function requiredString(config: Readonly<Record<string, unknown>>, connector: string, key: string): string {
  const value = config[key];
  if (typeof value !== 'string' || value === '') throw invalidSetting(connector, key, 'a non-empty string');
  return value;
}

export function optionalString(
  config: Readonly<Record<string, unknown>>,
  connector: string,
  key: string,
): string | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalidSetting(connector, key, 'a non-empty string');
  return value;
}

export function optionalPositiveInteger(
  config: Readonly<Record<string, unknown>>,
  connector: string,
  key: string,
): number | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw invalidSetting(connector, key, 'a positive integer');
  }
  return value;
}

export function optionalBoolean(
  config: Readonly<Record<string, unknown>>,
  connector: string,
  key: string,
): boolean | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalidSetting(connector, key, 'true or false');
  return value;
}

export function optionalStringList(
  config: Readonly<Record<string, unknown>>,
  connector: string,
  key: string,
): readonly string[] | undefined {
  const value = config[key];
  if (value === undefined) return undefined;
  if (!isStringArray(value) || value.length === 0 || value.includes('')) {
    throw invalidSetting(connector, key, 'a non-empty list of non-empty strings');
  }
  return value;
}
