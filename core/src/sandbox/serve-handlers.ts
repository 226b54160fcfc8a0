import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buffer } from 'node:stream/consumers';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { RequestHandler } from 'msw';
import { SANDBOX_FAULT_HEADER, SANDBOX_FAULT_RESET, SANDBOX_FAULT_TIMEOUT } from './fault.js';
import type { HandlerRoutes } from './handler-routes.js';
import { jsonResponse } from './json-response.js';

export interface ServeHandlersOptions {
  /** Interface to bind; loopback by default so nothing outside this machine can reach a sandbox. */
  readonly host?: string;
  /** 0 (default) lets the system pick a free port. */
  readonly port?: number;
  /** Answer for a request no handler matched; default a 404 JSON body naming the route. */
  readonly onUnhandled?: (request: Request) => Response | undefined | Promise<Response | undefined>;
  /** Called when a handler throws (the client gets a 500 either way). */
  readonly onError?: (error: unknown, request: Request) => void;
}

export interface LoopbackServer {
  /** Origin of the server, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops every connection, hung ones included. */
  close(): Promise<void>;
}

/** Serves msw handlers on a real socket so that any HTTP client (undici included) talks to them. */
export function serveHandlers(handlers: readonly RequestHandler[], options: ServeHandlersOptions = {}): Promise<LoopbackServer> {
  return listenWithHandlers(() => handlers, options);
}

/** Hop-by-hop headers describe the socket, not the message; a Fetch Request must not carry them. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-connection']);

/**
 * The server behind serveHandlers and serveSandbox. Handlers are read per request, so a caller can bind the
 * port first and install handlers that need the final URL afterwards.
 */
export async function listenWithHandlers(
  currentHandlers: () => readonly RequestHandler[],
  options: ServeHandlersOptions = {},
): Promise<LoopbackServer> {
  // msw is loaded with the first server, not with @ferry/core: commands that serve nothing never pay for it.
  const [{ getResponse }, { handlerRoutes }] = await Promise.all([import('msw'), import('./handler-routes.js')]);
  const host = options.host ?? '127.0.0.1';
  let origin = '';
  const server = createServer((req, res) => {
    answer(req, res).catch((error: unknown) => {
      // The response may be half written; the socket is the only thing left to clean up.
      res.destroy(error instanceof Error ? error : undefined);
    });
  });

  // The route index of the current handler list, rebuilt when another list (or a longer one) comes.
  let indexed: { readonly handlers: readonly RequestHandler[]; readonly length: number; readonly routes: HandlerRoutes } | undefined;
  function candidatesFor(request: Request): RequestHandler[] {
    const handlers = currentHandlers();
    if (indexed?.handlers !== handlers || indexed.length !== handlers.length) {
      indexed = { handlers, length: handlers.length, routes: handlerRoutes(handlers) };
    }
    return indexed.routes.candidates(request.method, new URL(request.url).pathname);
  }

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await toFetchRequest(req, origin);
    let response: Response | undefined;
    try {
      response = await getResponse(candidatesFor(request), request, { baseUrl: origin });
      if (response?.headers.get('x-msw-intention') === 'passthrough') response = undefined;
      response ??= (await options.onUnhandled?.(request)) ?? notFound(request);
    } catch (error) {
      options.onError?.(error, request);
      response = jsonResponse({ statusCode: 500, message: `sandbox handler failed: ${error instanceof Error ? error.message : String(error)}` }, { status: 500 });
    }
    const fault = response.headers.get(SANDBOX_FAULT_HEADER);
    if (response.type === 'error' || fault === SANDBOX_FAULT_RESET) {
      req.socket.destroy();
      return;
    }
    if (fault === SANDBOX_FAULT_TIMEOUT) return; // never answer; close() drops the socket
    await writeResponse(response, req.method ?? 'GET', res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: origin,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

async function toFetchRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const method = req.method ?? 'GET';
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] ?? '';
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.append(name, req.rawHeaders[i + 1] ?? '');
  }
  const body = method === 'GET' || method === 'HEAD' ? undefined : await buffer(req);
  // The server's own origin, not the Host header: handlers are declared against the URL the sandbox announced.
  return new Request(new URL(req.url ?? '/', origin), {
    method,
    headers,
    ...(body !== undefined && body.length > 0 ? { body } : {}),
  });
}

function notFound(request: Request): Response {
  const { pathname } = new URL(request.url);
  return jsonResponse({ statusCode: 404, message: `no sandbox route for ${request.method} ${pathname}` }, { status: 404 });
}

async function writeResponse(response: Response, method: string, res: ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) {
    if (name !== SANDBOX_FAULT_HEADER && name !== 'set-cookie' && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText, headers);
  if (response.body === null || method === 'HEAD') {
    res.end();
    return;
  }
  // A body of known length is already in memory (HttpResponse.json/text, jsonResponse): one write, without a
  // web-stream bridge.
  if (headers['content-length'] !== undefined) {
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res);
}
