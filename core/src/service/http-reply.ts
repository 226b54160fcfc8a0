import type { ServerResponse } from 'node:http';

/** Answers with a JSON body (and closes the connection when asked: after a refused upload). */
export function replyJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  options: { readonly headers?: Readonly<Record<string, string>>; readonly close?: boolean } = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(options.close === true ? { connection: 'close' } : {}),
    ...options.headers,
  });
  response.end(text);
}
