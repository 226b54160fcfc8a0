import type { JsonRecord } from './json-schema.js';

/** What a connector tells the core HTTP client about its API. */
export interface HttpProfile {
  /** Base URL from the connection's config (sandbox, white-label and tests override it). */
  baseUrl(config: Readonly<Record<string, unknown>>): string;
  /** Headers on every call (GHL: `Version: 2021-07-28`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The API's own error message from an error body. */
  errorMessage?(status: number, body: unknown): string | undefined;
  /** Auth failures that do not come as 401 (Salesmsg sends some as 403 or 500 with `auth_required`). */
  isAuthFailure?(status: number, body: unknown): boolean;
  traceId?(headers: Readonly<Record<string, string | undefined>>, body: unknown): string | undefined;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | readonly (string | number)[];

export interface HttpRequest {
  readonly method: HttpMethod;
  /** Path relative to the base URL, with path params already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** JSON body. */
  readonly body?: unknown;
  /** application/x-www-form-urlencoded body (OAuth token endpoints). */
  readonly form?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Writes are retried only when the connector marks them safe (idempotent PUT/DELETE are safe by default). */
  readonly retrySafe?: boolean;
  /** Send without the bearer token (token endpoints). */
  readonly anonymous?: boolean;
  /** Statuses that are not errors for this call (e.g. 404 on a look-up). */
  readonly allowStatus?: readonly number[];
  readonly signal?: AbortSignal;
  /** Scope the call needs (`contacts.write`): named in the hint when the API answers that a scope is missing. */
  readonly scope?: string;
}

export interface HttpResponse<T = unknown> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: T;
  readonly traceId: string | undefined;
}

export interface HttpStats {
  calls: number;
  retries: number;
  rateLimited: number;
  /** Fraction of the tightest window's budget used while the client was busy (0..1). */
  utilization: number;
}

export interface HttpClient {
  request<T = unknown>(request: HttpRequest): Promise<HttpResponse<T>>;
  readonly stats: Readonly<HttpStats>;
}

export type JsonBody = JsonRecord;
