import { operationById } from '../spec/operations.js';

/** The method and path an action calls, as the catalog shows them: read from the vendor's spec, not retyped. */
export function httpOf(operationId: string): { method: string; path: string } {
  const op = operationById(operationId);
  return { method: op.method, path: op.path };
}
