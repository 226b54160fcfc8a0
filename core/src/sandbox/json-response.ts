/**
 * A JSON response with its length declared, as msw's `HttpResponse.json` builds it, for the parts of the sandbox
 * server that must not load msw (it is loaded only once handlers are really served). The declared length lets
 * the server write the body at once and the client read it in one go.
 */
export function jsonResponse(body: unknown, init: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> } = {}): Response {
  const text = JSON.stringify(body) ?? '';
  const headers = new Headers(init.headers);
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  headers.set('content-length', String(Buffer.byteLength(text)));
  return new Response(text, { status: init.status ?? 200, headers });
}
