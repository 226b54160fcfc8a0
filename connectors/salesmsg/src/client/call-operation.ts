import type { HttpClient, HttpResponse, QueryValue } from '@ferry/core';
import { FerryError } from '@ferry/core';
import { operation, type OperationName } from '../api-table.js';

export interface OperationCall {
  /** Values for the `{name}` segments of the path. */
  readonly path?: Readonly<Record<string, string | number>>;
  /** Parameters, sent where the table says (query or JSON body); undefined values are left out. */
  readonly params?: Readonly<Record<string, unknown>>;
  readonly allowStatus?: readonly number[];
  /** A write that is safe to send twice (the caller made it so). */
  readonly retrySafe?: boolean;
  readonly signal?: AbortSignal;
}

/** `/contacts/{id}` with `{id: 5}` → `/contacts/5`; every value is encoded, a missing one is a bug. */
export function fillPath(template: string, values: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined || value === '') {
      throw new FerryError('SALESMSG_BAD_CALL', `path ${template} needs '${name}'`, { hint: 'pass the id of the record the call is about' });
    }
    return encodeURIComponent(String(value));
  });
}

function queryValue(value: unknown): QueryValue {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** Sends one operation of the API table through the (throttled, retrying) HTTP client. */
export function callOperation<T = unknown>(http: HttpClient, name: OperationName, call: OperationCall = {}): Promise<HttpResponse<T>> {
  const op = operation(name);
  const params = Object.fromEntries(Object.entries(call.params ?? {}).filter(([, v]) => v !== undefined));
  return http.request<T>({
    method: op.method,
    path: fillPath(op.path, call.path),
    scope: op.scope,
    ...(op.paramsIn === 'query' ? { query: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, queryValue(v)])) } : {}),
    ...(op.paramsIn === 'json' ? { body: params } : {}),
    ...(call.allowStatus === undefined ? {} : { allowStatus: call.allowStatus }),
    ...(call.retrySafe === undefined ? {} : { retrySafe: call.retrySafe }),
    ...(call.signal === undefined ? {} : { signal: call.signal }),
  });
}
