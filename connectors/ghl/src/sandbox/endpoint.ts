import { randomUUID } from 'node:crypto';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { socketFaultResponse, type FaultKind } from '@ferry/core';
import { operationById, toRoutePath, type SpecOperation } from '../spec/operations.js';
import { requestValidator, validationMessages } from '../spec/validation.js';
import { errorReply, ReplyError, SCOPE_MISSING, type Reply } from './replies.js';
import type { SandboxWorld } from './sandbox-world.js';
import type { AccessToken } from './token-registry.js';

export const API_VERSION = '2021-07-28';

/** What a route sees: the checked token, the validated body, path params and the query. */
export interface Call {
  readonly world: SandboxWorld;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly token: AccessToken;
  readonly now: number;
}

/** One operation of the spec and how the sandbox answers it. */
export interface Endpoint {
  readonly operationId: string;
  handle(call: Call): Reply;
}

const VERBS = { GET: http.get, POST: http.post, PUT: http.put, DELETE: http.delete, PATCH: http.patch } as const;

/** Rate headers as the live API sends them. */
function rateHeaders(world: SandboxWorld, key: string, remaining: number, dailyRemaining: number): Record<string, string> {
  const limits = world.limitsFor(key);
  return {
    'x-ratelimit-max': String(limits.burst.max),
    'x-ratelimit-remaining': String(Math.max(0, remaining)),
    'x-ratelimit-interval-milliseconds': String(Number.isFinite(limits.burst.perMs) ? Math.round(limits.burst.perMs) : 0),
    'x-ratelimit-limit-daily': String(limits.daily.max),
    'x-ratelimit-daily-remaining': String(Math.max(0, dailyRemaining)),
  };
}

function toResponse(reply: Reply, headers: Readonly<Record<string, string>>): Response {
  return HttpResponse.json({ ...reply.body, traceId: randomUUID() }, { status: reply.status, headers: { ...headers, ...reply.headers } });
}

/** Acts out a fault drawn before the request took effect, if it is one of those. */
function earlyFault(world: SandboxWorld, kind: FaultKind | undefined, headers: Record<string, string>): Response | undefined {
  if (kind === 'rateLimited') {
    return toResponse(errorReply(429, 'Too many requests, please try again later.'), { ...headers, 'x-ratelimit-remaining': '0' });
  }
  if (kind === 'serverError') {
    const status = [500, 502, 503][Math.floor(world.random() * 3)] ?? 500;
    return toResponse(errorReply(status, 'Internal server error'), headers);
  }
  return undefined;
}

/** Acts out a fault drawn to strike after the request took effect (the answer is lost on the way back). */
async function lateFault(kind: FaultKind | undefined, response: Response): Promise<Response> {
  if (kind === 'timeout' || kind === 'reset') return socketFaultResponse(kind);
  if (kind === 'malformed') {
    const text = await response.text();
    // The original length no longer holds: the body is cut, the message is not.
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    return new HttpResponse(text.slice(0, Math.max(1, Math.floor(text.length / 2))), { status: response.status, headers });
  }
  return response;
}

function bearerOf(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  if (header === null) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

export type ParsedBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reply: Reply };

/** Reads a JSON body like the live API's parser: empty is `{}`, broken JSON is a 400. */
export async function readJsonBody(request: Request): Promise<ParsedBody> {
  const text = await request.text();
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reply: errorReply(400, error instanceof Error ? error.message : 'Unexpected token in JSON') };
  }
}

export function countRequest(world: SandboxWorld, operationId: string): void {
  world.counters.requests += 1;
  world.counters.byOperation[operationId] = (world.counters.byOperation[operationId] ?? 0) + 1;
}

export function countStatus(world: SandboxWorld, status: number): void {
  world.counters.byStatus[status] = (world.counters.byStatus[status] ?? 0) + 1;
  if (status === 429) world.counters.rateLimited += 1;
}

export function record(world: SandboxWorld, entry: Parameters<SandboxWorld['recorded']['push']>[0]): void {
  if (world.settings.recordRequests) world.recorded.push(entry);
}

/**
 * Wraps a route in what every call of the live API goes through, in its order: Version header, bearer token
 * (unknown / expired), the location's rate windows (429 with X-RateLimit-* headers), the operation's scope,
 * then the body (JSON, then the spec's schema: 422 with the field messages). Faults strike before (429, 5xx)
 * or after (timeout, reset, malformed body) the route has had its effect.
 */
export function endpointHandlers(world: SandboxWorld, endpoint: Endpoint): RequestHandler[] {
  const op: SpecOperation = operationById(endpoint.operationId);
  const validate = op.requestBody === undefined ? undefined : requestValidator(op.requestBody);
  const route = `${world.settings.baseUrl}${toRoutePath(op.path)}`;
  // Like the live API's router, `/contacts/` and `/contacts` are the same route.
  const routes = route.endsWith('/') ? [route, route.slice(0, -1)] : [route];
  return routes.map((path) => VERBS[op.method](path, async ({ request, params }) => {
    countRequest(world, op.operationId);
    const url = new URL(request.url);
    const now = world.now();
    const fault = world.faults.draw();
    let headers: Record<string, string> = {};
    let body: unknown;

    const answer = async (): Promise<Reply | Response> => {
      const version = request.headers.get('version');
      if (version === null) return errorReply(400, 'Version header was not found');
      if (version !== API_VERSION) return errorReply(400, `Version header is invalid: only ${API_VERSION} is supported`);
      const checked = world.tokens.check(bearerOf(request), now);
      if (!checked.ok) return errorReply(401, checked.message);
      const token = checked.token;
      const limits = world.limitsFor(token.locationId ?? token.companyId);
      const burst = limits.burst.hit();
      const daily = burst.allowed ? limits.daily.hit() : undefined;
      if (daily !== undefined) limits.dailyRemaining = daily.remaining;
      headers = rateHeaders(world, token.locationId ?? token.companyId, burst.remaining, limits.dailyRemaining);
      if (!burst.allowed || daily?.allowed === false) return errorReply(429, 'Too many requests, please try again later.');
      limits.admitted += 1;
      limits.rolling.record(now);
      const early = earlyFault(world, fault, headers);
      if (early !== undefined) return early;
      if (!token.scopes.has(op.scope)) return errorReply(401, SCOPE_MISSING);
      if (validate !== undefined) {
        const parsed = await readJsonBody(request);
        if (!parsed.ok) return parsed.reply;
        body = parsed.value;
        if (!validate(body)) return errorReply(422, validationMessages(validate.errors));
      }
      const pathParams: Record<string, string> = {};
      for (const [k, v] of Object.entries(params)) if (typeof v === 'string') pathParams[k] = v;
      try {
        return endpoint.handle({ world, url, params: pathParams, body, token, now });
      } catch (error) {
        if (error instanceof ReplyError) return error.reply;
        throw error;
      }
    };

    const reply = await answer();
    if (reply instanceof Response) {
      countStatus(world, reply.status);
      return reply;
    }
    countStatus(world, reply.status);
    record(world, {
      operationId: op.operationId,
      method: op.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      version: request.headers.get('version') ?? undefined,
      authorized: bearerOf(request) !== undefined,
      contentType: request.headers.get('content-type') ?? undefined,
      body,
      status: reply.status,
    });
    return lateFault(fault, toResponse(reply, headers));
  }));
}
