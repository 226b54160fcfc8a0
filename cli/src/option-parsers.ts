import { InvalidArgumentError } from 'commander';
import type { FaultRates } from '@ferry/core';
import { didYouMeanSuffix } from '@ferry/core';

/** Parsers for option values; commander turns an InvalidArgumentError into a usage error (exit 2). */

export function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('expected a whole number of 1 or more.');
  }
  return n;
}

export function parseNonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a whole number of 0 or more.');
  }
  return n;
}

export function parsePort(value: string): number {
  const port = parseNonNegativeInteger(value);
  if (port > 65_535) throw new InvalidArgumentError('expected a port between 0 and 65535 (0 picks a free one).');
  return port;
}

export function parseTimeScale(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError('expected a number of 0 or more (10 runs rate windows ten times faster; 0 disables them).');
  }
  return n;
}

/**
 * `--param k=v` (a string value) or `--param k:=<json>` (a typed value: `limit:=10`, `ids:=["a","b"]`);
 * repeatable, later ones win.
 */
export function collectParam(value: string, previous: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected key=value (or key:=json), got '${value}'.`);
  const typed = value[eq - 1] === ':';
  const key = value.slice(0, typed ? eq - 1 : eq).trim();
  if (key === '') throw new InvalidArgumentError(`expected key=value (or key:=json), got '${value}'.`);
  const raw = value.slice(eq + 1);
  let parsed: unknown = raw;
  if (typed) {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new InvalidArgumentError(`the value of '${key}:=' must be JSON (e.g. ${key}:=10 or ${key}:='["a"]'), got '${raw}'.`);
    }
  }
  return { ...previous, [key]: parsed };
}

/** `--id 3 --id 4`, `--id 3 4` or `--id 3,4`: dead-letter ids. */
export function collectIds(value: string, previous: readonly number[] = []): number[] {
  const ids = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      if (!/^\d+$/.test(part)) throw new InvalidArgumentError(`expected dead-letter ids (numbers), got '${part}'.`);
      return Number(part);
    });
  return [...previous, ...ids];
}

const FAULT_NAMES: Readonly<Record<string, keyof FaultRates>> = {
  '429': 'rateLimited',
  'rate-limited': 'rateLimited',
  rateLimited: 'rateLimited',
  '500': 'serverError',
  '5xx': 'serverError',
  'server-error': 'serverError',
  serverError: 'serverError',
  timeout: 'timeout',
  reset: 'reset',
  malformed: 'malformed',
};

/** `--faults 429=0.1,500=0.05,timeout=0.01,reset=0.01,malformed=0.01`: per-request probabilities. */
export function parseFaults(value: string): FaultRates {
  const rates: { -readonly [K in keyof FaultRates]: number } = {};
  for (const part of value.split(',')) {
    if (part.trim() === '') continue;
    const [name = '', rate = ''] = part.split('=').map((s) => s.trim());
    const key = FAULT_NAMES[name];
    if (key === undefined) {
      throw new InvalidArgumentError(
        `unknown fault '${name}'${didYouMeanSuffix(name, Object.keys(FAULT_NAMES))}; known: 429, 500, timeout, reset, malformed.`,
      );
    }
    const probability = Number(rate);
    if (rate === '' || !Number.isFinite(probability) || probability < 0 || probability > 1) {
      throw new InvalidArgumentError(`the rate of '${name}' must be a probability between 0 and 1, got '${rate}'.`);
    }
    rates[key] = probability;
  }
  return rates;
}
