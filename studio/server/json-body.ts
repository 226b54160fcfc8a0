import type { IncomingMessage } from 'node:http';
import { FerryError } from '@ferry/core';

const MAX_BODY_BYTES = 1024 * 1024;

/** Reads a JSON request body (at most 1 MiB). */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  // A JSON content type cannot be sent by a plain HTML form: no cross-site form post reaches the API.
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new FerryError('STUDIO_BAD_REQUEST', 'the request body must be JSON (Content-Type: application/json)', { hint: 'send the request from the studio page' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new FerryError('STUDIO_BAD_REQUEST', 'the request body is larger than 1 MiB', { hint: 'a pipeline draft is far smaller; check what is being sent' });
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new FerryError('STUDIO_BAD_REQUEST', 'the request body is not valid JSON', { hint: 'send the request from the studio page' });
  }
}
