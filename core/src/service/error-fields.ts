import { isFerryError } from '../errors/ferry-error.js';

/** An error as log fields and stored text: code, message and hint of a FerryError; the message of anything else. */
export function errorFields(error: unknown): { readonly code: string; readonly message: string; readonly hint?: string } {
  if (isFerryError(error)) return { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  return { code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error) };
}

/** One line for the inbox's `last_error`: `CODE: message`. */
export function errorLine(error: unknown): string {
  const { code, message } = errorFields(error);
  return `${code}: ${message}`;
}
