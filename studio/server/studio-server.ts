import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isConfigError, isFerryError, FerryError } from '@ferry/core';
import type { ErrorResponse, PipelineDraft, PreviewRequest, SaveRequest } from '../shared/api-types.js';
import { createAccessToken, requestToken, tokenCookie, tokensMatch } from './access-token.js';
import { readJsonBody } from './json-body.js';
import { draftOfValue } from './pipeline-document.js';
import { problemsOf } from './problems.js';
import { DEFAULT_STATIC_DIR, assertBuilt, staticFile } from './static-files.js';
import { SaveRejected, StudioService, type StudioServiceOptions } from './studio-service.js';

export interface StudioServerOptions extends StudioServiceOptions {
  /** Port on 127.0.0.1 (default 0: a free one). */
  readonly port?: number;
  /** The access token (default: 256 random bits). */
  readonly token?: string;
  /** The built web app (default: studio/dist). */
  readonly staticDir?: string;
}

export interface StudioServer {
  /** The URL to open: it carries the token once; the page then keeps it in a SameSite=Strict cookie. */
  readonly url: string;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  readonly token: string;
  readonly service: StudioService;
  close(): Promise<void>;
}

/** The page's own rules: nothing but this origin, no framing, no referrer (the first URL carries the token). */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorResponse,
  ) {
    super(body.error.message);
  }
}

function send(response: ServerResponse, status: number, body: string | Buffer, headers: Readonly<Record<string, string>>): void {
  response.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  send(response, status, JSON.stringify(value), { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
}

const STATUS_OF_CODE: Readonly<Record<string, number>> = {
  STUDIO_PATH_OUTSIDE: 403,
  STUDIO_PATH_NOT_YAML: 403,
  STUDIO_PATH_SYMLINK: 403,
  STUDIO_PATH_PROJECT_FILE: 403,
  STUDIO_PIPELINE_NOT_FOUND: 404,
  STUDIO_FILE_EXISTS: 409,
  STUDIO_FILE_CHANGED: 409,
  STUDIO_SAVE_INVALID: 422,
  STUDIO_BAD_REQUEST: 400,
  STUDIO_NOT_FOUND: 404,
};

function errorResponse(error: unknown): { status: number; body: ErrorResponse } {
  if (error instanceof HttpProblem) return { status: error.status, body: error.body };
  if (error instanceof SaveRejected) {
    return { status: 422, body: { error: { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) }, problems: error.problems } };
  }
  if (isConfigError(error)) {
    // The project file itself does not load: nothing can be shown until it does.
    return { status: 422, body: { error: { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) }, problems: problemsOf(error) } };
  }
  if (isFerryError(error)) {
    return { status: STATUS_OF_CODE[error.code] ?? 400, body: { error: { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) } } };
  }
  return { status: 500, body: { error: { code: 'STUDIO_UNEXPECTED', message: 'the studio failed unexpectedly', hint: 'see the log (run with --log-level debug for details)' } } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' ? value : undefined;
}

function requireString(body: Record<string, unknown>, key: string): string {
  const value = stringField(body, key);
  if (value === undefined) throw new FerryError('STUDIO_BAD_REQUEST', `the request lacks '${key}'`, { hint: 'send the request from the studio page' });
  return value;
}

/** A key the request may leave out; when present it must be a string. */
function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new FerryError('STUDIO_BAD_REQUEST', `'${key}' must be a string`, { hint: 'send the request from the studio page' });
  return value;
}

function draftOf(body: Record<string, unknown>): PipelineDraft {
  if (!isRecord(body['draft'])) throw new FerryError('STUDIO_BAD_REQUEST', "the request lacks 'draft'", { hint: 'send the request from the studio page' });
  return draftOfValue(body['draft']);
}

const UNAUTHORIZED_PAGE = `<!doctype html><meta charset="utf-8"><title>ferry studio</title>
<body style="font-family: system-ui, sans-serif; margin: 3rem"><h1>ferry studio</h1>
<p>This page needs the link that <code>ferry studio</code> printed in your terminal (it carries a one-time key).</p></body>`;

/**
 * Serves the studio on 127.0.0.1: the built web app and its JSON API on one node:http server. Every request must
 * carry the access token (cookie or header, compared in constant time) and name this server as its Host (no DNS
 * rebinding); the token arrives once in the URL and is then kept in an HttpOnly, SameSite=Strict cookie.
 */
export async function startStudio(options: StudioServerOptions): Promise<StudioServer> {
  const staticDir = options.staticDir ?? DEFAULT_STATIC_DIR;
  assertBuilt(staticDir);
  const token = options.token ?? createAccessToken();
  const service = new StudioService(options);
  const log = options.log.child({ component: 'studio' });
  let allowedHosts: ReadonlySet<string> = new Set();
  let origin = '';

  async function api(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const route = `${request.method ?? 'GET'} ${url.pathname}`;
    if (request.method === 'POST') {
      const sentOrigin = request.headers.origin;
      if (sentOrigin !== undefined && sentOrigin !== origin) {
        throw new HttpProblem(403, { error: { code: 'STUDIO_FOREIGN_ORIGIN', message: `requests from ${sentOrigin} are not accepted`, hint: 'use the studio page itself' } });
      }
    }
    switch (route) {
      case 'GET /api/project':
        return sendJson(response, 200, service.view());
      case 'GET /api/fields':
        return sendJson(
          response,
          200,
          service.fields(
            { connection: url.searchParams.get('fromConnection') ?? '', stream: url.searchParams.get('stream') ?? '' },
            { connection: url.searchParams.get('toConnection') ?? '', action: url.searchParams.get('action') ?? '' },
          ),
        );
      case 'GET /api/pipeline':
        return sendJson(response, 200, service.open(url.searchParams.get('file') ?? ''));
      case 'POST /api/sample': {
        const body = await readJsonBody(request);
        if (!isRecord(body)) throw new FerryError('STUDIO_BAD_REQUEST', 'expected a JSON object', { hint: 'send the request from the studio page' });
        const params = body['params'];
        const partition = optionalString(body, 'partition');
        return sendJson(
          response,
          200,
          await service.sample(
            {
              connection: requireString(body, 'connection'),
              stream: requireString(body, 'stream'),
              ...(isRecord(params) ? { params } : {}),
              ...(partition === undefined ? {} : { partition }),
            },
            body['refresh'] === true,
          ),
        );
      }
      case 'POST /api/preview': {
        const body = await readJsonBody(request);
        if (!isRecord(body)) throw new FerryError('STUDIO_BAD_REQUEST', 'expected a JSON object', { hint: 'send the request from the studio page' });
        const file = stringField(body, 'file');
        const partition = optionalString(body, 'partition');
        const previewRequest: PreviewRequest = {
          draft: draftOf(body),
          refresh: body['refresh'] === true,
          ...(file === undefined ? {} : { file }),
          ...(partition === undefined ? {} : { partition }),
        };
        // A newer preview replaces this one: the browser drops the request, and the dry run stops.
        const controller = new AbortController();
        response.on('close', () => {
          if (!response.writableFinished) controller.abort();
        });
        return sendJson(response, 200, await service.preview(previewRequest, controller.signal));
      }
      case 'POST /api/save': {
        const body = await readJsonBody(request);
        if (!isRecord(body)) throw new FerryError('STUDIO_BAD_REQUEST', 'expected a JSON object', { hint: 'send the request from the studio page' });
        const baseHash = stringField(body, 'baseHash');
        const saveRequest: SaveRequest = { file: requireString(body, 'file'), draft: draftOf(body), ...(baseHash === undefined ? {} : { baseHash }) };
        return sendJson(response, 200, service.save(saveRequest));
      }
      default:
        throw new HttpProblem(404, { error: { code: 'STUDIO_NOT_FOUND', message: `no API route ${route}`, hint: 'the studio page and this server may be of different versions; reload the page' } });
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const host = request.headers.host ?? '';
    if (!allowedHosts.has(host.toLowerCase())) {
      send(response, 421, 'this server answers only to its own address', { 'content-type': 'text/plain; charset=utf-8' });
      return;
    }
    const url = new URL(request.url ?? '/', origin);
    const given = url.pathname === '/' ? (url.searchParams.get('token') ?? undefined) : undefined;
    if (given !== undefined && tokensMatch(token, given)) {
      // Trade the token in the URL for the cookie, and drop it from the address bar and history.
      send(response, 303, '', { location: '/', 'set-cookie': tokenCookie(token), 'cache-control': 'no-store' });
      return;
    }
    if (!tokensMatch(token, requestToken(request))) {
      if (url.pathname.startsWith('/api/')) {
        sendJson(response, 401, { error: { code: 'STUDIO_UNAUTHORIZED', message: 'this request carries no valid studio token', hint: 'open the link that `ferry studio` printed' } });
      } else {
        send(response, 401, UNAUTHORIZED_PAGE, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      }
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      try {
        await api(request, response, url);
      } catch (error) {
        const { status, body } = errorResponse(error);
        if (status >= 500) log.error({ err: error }, 'studio request failed');
        else log.debug({ code: body.error.code, route: url.pathname }, 'studio request refused');
        if (!response.headersSent) sendJson(response, status, body);
      }
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(response, 405, 'method not allowed', { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' });
      return;
    }
    const file = staticFile(staticDir, url.pathname);
    if (file === undefined) {
      send(response, 404, 'not found', { 'content-type': 'text/plain; charset=utf-8' });
      return;
    }
    send(response, 200, request.method === 'HEAD' ? '' : file.body, {
      'content-type': file.contentType,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
    });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.error({ err: error }, 'studio request failed');
      if (!response.headersSent) sendJson(response, 500, errorResponse(error).body);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    service,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
