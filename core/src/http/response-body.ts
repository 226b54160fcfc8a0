import type { Dispatcher } from 'undici';

/** Default cap on a response body: a page of records is far below it, a runaway response is not. */
export const DEFAULT_MAX_BODY_BYTES = 50 * 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

export class MalformedBodyError extends Error {
  constructor(readonly text: string, cause: unknown) {
    super('response body is not valid JSON', { cause });
    this.name = 'MalformedBodyError';
  }
}

type Body = Dispatcher.ResponseData['body'];

/** Drops the rest of a body; undici's dump destroys the stream without an unhandled error event. */
async function discard(body: Body): Promise<void> {
  await body.dump({ limit: 1 }).catch(() => undefined);
}

/** Reads a whole body, stopping (and dropping the socket) as soon as it passes `limit` bytes. */
export async function readBodyCapped(body: Body, limit: number, contentLength?: string): Promise<Buffer> {
  const declared = contentLength === undefined || contentLength.trim() === '' ? Number.NaN : Number(contentLength);
  if (declared > limit) {
    await discard(body);
    throw new BodyTooLargeError(limit);
  }
  // A declared length within the cap bounds the body (undici reads no byte past it): one read, no chunk loop.
  if (Number.isInteger(declared) && declared >= 0) return Buffer.from(await body.arrayBuffer());
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > limit) {
      await discard(body);
      throw new BodyTooLargeError(limit);
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * A body as a value: undefined when empty, parsed JSON when the content type says JSON or the text looks like
 * it, the text otherwise. JSON that does not parse is a MalformedBodyError (the caller decides on a retry).
 */
export function parseBody(bytes: Buffer, contentType: string | undefined): unknown {
  if (bytes.length === 0) return undefined;
  const text = bytes.toString('utf8');
  const trimmed = text.trimStart();
  const declaredJson = contentType !== undefined && /[/+]json\b/i.test(contentType);
  if (!declaredJson && !trimmed.startsWith('{') && !trimmed.startsWith('[')) return text;
  if (trimmed === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new MalformedBodyError(text, error);
  }
}

/** Parses an error body without ever failing: JSON when it is JSON, the text otherwise. */
export function parseBodyLeniently(bytes: Buffer, contentType: string | undefined): unknown {
  try {
    return parseBody(bytes, contentType);
  } catch {
    return bytes.toString('utf8');
  }
}
