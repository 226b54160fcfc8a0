import { FerryError } from '@ferry/core';
import { integerId } from '../records/values.js';

/** A string param, or undefined when absent (the engine validated params against the stream's schema). */
export function stringParam(params: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new FerryError('SALESMSG_BAD_PARAM', `param ${name} must be a string`, { hint: `fix ${name} in the pipeline's from.params` });
}

/** A required id param (an integer, or a digit string as the link table keeps ids). */
export function idParam(params: Readonly<Record<string, unknown>>, name: string): number {
  const id = integerId(params[name]);
  if (id === undefined) {
    throw new FerryError('SALESMSG_BAD_PARAM', `param ${name} must be a Salesmsg id (a positive integer), got ${JSON.stringify(params[name]) ?? 'nothing'}`, {
      hint: `pass ${name} in the pipeline's from.params (or read this stream as a child of its parent stream)`,
    });
  }
  return id;
}

/** JSON Schema of an id param. */
export const idParamSchema = { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[0-9]+$' }] } as const;
