import type { IncomingMessage } from 'node:http';

export type RawBody = { readonly kind: 'body'; readonly bytes: Buffer } | { readonly kind: 'too-large' };

/**
 * The request body exactly as sent, up to `limit` bytes. A declared Content-Length over the limit is refused
 * before a byte is kept; an undeclared (chunked) body is refused as soon as it passes the limit. The rest of a
 * refused body is read and dropped (never kept), so the client can finish sending and read the answer; the
 * caller closes the connection after answering.
 */
export function readRawBody(request: IncomingMessage, limit: number): Promise<RawBody> {
  return new Promise<RawBody>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) refuse();
      else chunks.push(chunk);
    };
    const onEnd = (): void => resolve({ kind: 'body', bytes: Buffer.concat(chunks, size) });
    const onError = (error: Error): void => reject(error);
    const onClose = (): void => reject(new Error('the client closed the connection before the body ended'));
    const stopListening = (): void => {
      request.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const refuse = (): void => {
      stopListening();
      request.on('error', () => undefined); // the client may give up while the rest is dropped
      request.resume();
      resolve({ kind: 'too-large' });
    };
    const declared = request.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      refuse();
      return;
    }
    request.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** The media type of a Content-Type header, lowercased, without parameters (`application/json`). */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const type = contentType.split(';', 1)[0]?.trim().toLowerCase();
  return type === undefined || type === '' ? undefined : type;
}

/** Whether a media type is one of `accepted`; `application/json` also accepts structured `+json` types. */
export function isAcceptedMediaType(type: string | undefined, accepted: readonly string[]): boolean {
  if (type === undefined) return false;
  if (accepted.includes(type)) return true;
  return accepted.includes('application/json') && /^application\/[a-z0-9.+-]+\+json$/.test(type);
}
