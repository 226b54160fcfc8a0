import { expect } from 'vitest';
import { FerryError } from '../errors/ferry-error.js';

/**
 * The FerryError that `work` fails with (a promise, or a function that throws or rejects). The test fails when the
 * work succeeds, fails with anything else, or — when `code` is given — with another code.
 */
export async function ferryErrorOf(work: Promise<unknown> | (() => unknown), code?: string): Promise<FerryError> {
  let failure: unknown;
  let failed = false;
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    failure = error;
    failed = true;
  }
  expect(failed, 'expected the work to fail with a FerryError, but it succeeded').toBe(true);
  expect(failure).toBeInstanceOf(FerryError);
  const error = failure as FerryError;
  if (code !== undefined) expect(error.code).toBe(code);
  return error;
}
