import { http, HttpResponse, type RequestHandler } from 'msw';
import { socketFaultResponse, type FaultKind } from '@ferry/core';
import { operation, SCOPES, type OperationName } from '../api-table.js';
import { authFailure, errorReply, NOT_FOUND, RATE_LIMITED, ReplyError, SCOPE_MISSING, type Reply } from './replies.js';
import type { SandboxWorld } from './sandbox-world.js';
import type { AccessToken } from './token-registry.js';

/** API versions the sandbox answers under `/pub/vX.Y` (the live API still answers the older two). */
export const SANDBOX_API_VERSIONS: readonly string[] = ['2.1', '2.2', '2.3'];

/** What a route sees. */
export interface Call {
  readonly world: SandboxWorld;
  readonly url: URL;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>>;
  /** The parsed JSON body (`{}` when empty) for JSON operations. */
  readonly body: unknown;
  readonly token: AccessToken;
}

/** How the sandbox answers one operation of the API table. */
export interface Endpoint {
  readonly operation: OperationName;
  handle(call: Call): Reply;
}

const VERBS = { GET: http.get, POST: http.post, PUT: http.put, DELETE: http.delete, PATCH: http.patch } as const;

/** `/contacts/{id}` → `/contacts/:id`, under the versioned prefix. */
export function routeOf(origin: string, path: string): string {
  return `${origin}/pub/:apiVersion${path.replace(/\{(\w+)\}/g, ':$1')}`;
}

export function versionOf(raw: unknown): string | undefined {
  const match = typeof raw === 'string' ? /^v(\d+\.\d+)$/.exec(raw) : null;
  return match?.[1] !== undefined && SANDBOX_API_VERSIONS.includes(match[1]) ? match[1] : undefined;
}

export function bearerOf(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  return header === null ? undefined : /^Bearer\s+(.+)$/i.exec(header.trim())?.[1];
}

export function countRequest(world: SandboxWorld, name: string): void {
  world.counters.requests += 1;
  world.counters.byOperation[name] = (world.counters.byOperation[name] ?? 0) + 1;
}

export function countStatus(world: SandboxWorld, status: number): void {
  world.counters.byStatus[status] = (world.counters.byStatus[status] ?? 0) + 1;
  if (status === 429) world.counters.rateLimited += 1;
}

export function toResponse(reply: Reply): Response {
  return reply.body === undefined ? new HttpResponse(null, { status: reply.status }) : HttpResponse.json(reply.body, { status: reply.status });
}

/** Faults that strike before the call takes effect. */
function earlyFault(world: SandboxWorld, kind: FaultKind | undefined): Reply | undefined {
  if (kind === 'rateLimited') return RATE_LIMITED;
  if (kind === 'serverError') return errorReply([500, 502, 503][Math.floor(world.random() * 3)] ?? 500, 'Server Error');
  return undefined;
}

/** Faults that strike after it took effect: the answer is lost or broken on the way back. */
async function lateFault(kind: FaultKind | undefined, response: Response): Promise<Response> {
  if (kind === 'timeout' || kind === 'reset') return socketFaultResponse(kind);
  if (kind === 'malformed') {
    const text = await response.text();
    return new HttpResponse(text.slice(0, Math.max(1, Math.floor(text.length / 2))), { status: response.status, headers: response.headers });
  }
  return response;
}

async function readJson(request: Request): Promise<{ ok: true; value: unknown } | { ok: false; reply: Reply }> {
  const text = await request.text();
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reply: errorReply(400, 'The request body is not valid JSON.') };
  }
}

/**
 * Wraps a route in what every call of the live API goes through, in its order: the version prefix, the bearer
 * token (three failure shapes), the account's limit (429 for 60 s once 60 a minute are spent), the scope, the
 * body; faults strike before (429, 5xx) or after (timeout, reset, malformed body) the route took effect.
 */
export function endpointHandler(world: SandboxWorld, endpoint: Endpoint): RequestHandler {
  const op = operation(endpoint.operation);
  return VERBS[op.method](routeOf(world.settings.origin, op.path), async ({ request, params }) => {
    countRequest(world, endpoint.operation);
    const url = new URL(request.url);
    const fault = world.faults.draw();

    const answer = async (): Promise<Reply> => {
      if (versionOf(params['apiVersion']) === undefined) return NOT_FOUND;
      const checked = world.tokens.check(bearerOf(request), world.now());
      if (!checked.ok) return authFailure(checked.reason);
      if (!world.limit.admit()) return RATE_LIMITED;
      const early = earlyFault(world, fault);
      if (early !== undefined) return early;
      const { token } = checked;
      if (!token.scopes.has(op.scope) && !token.scopes.has(SCOPES.legacy)) return SCOPE_MISSING;
      let body: unknown = {};
      if (op.paramsIn === 'json') {
        const parsed = await readJson(request);
        if (!parsed.ok) return parsed.reply;
        body = parsed.value;
      }
      const pathParams: Record<string, string> = {};
      for (const [key, value] of Object.entries(params)) if (typeof value === 'string') pathParams[key] = value;
      try {
        return endpoint.handle({ world, url, query: url.searchParams, params: pathParams, body, token });
      } catch (error) {
        if (error instanceof ReplyError) return error.reply;
        throw error;
      }
    };

    const reply = await answer();
    countStatus(world, reply.status);
    return lateFault(reply.status < 400 ? fault : undefined, toResponse(reply));
  });
}
