import { HttpError } from './http-error.js';
import { BodyTooLargeError } from './response-body.js';
import { redactSecrets } from './redact.js';

/** A transport failure turned into an HttpError, with what the retry policy needs to know about it. */
export interface TransportFailure {
  readonly error: HttpError;
  /** Worth another try (a reset or timeout may pass; a bad host name will not). */
  readonly retryable: boolean;
  /** The request never reached the server (no connection), so even a POST is safe to send again. */
  readonly notSent: boolean;
}

export interface TransportContext {
  readonly connector: string;
  readonly method: string;
  /** Redacted path with query. */
  readonly path: string;
  readonly origin: string;
  readonly attempts: number;
  readonly timeouts: { readonly connectMs: number; readonly headersMs: number; readonly bodyMs: number };
  readonly secrets: readonly (string | undefined)[];
}

const TIMEOUT_CODES: Readonly<Record<string, 'connectMs' | 'headersMs' | 'bodyMs'>> = {
  UND_ERR_CONNECT_TIMEOUT: 'connectMs',
  UND_ERR_HEADERS_TIMEOUT: 'headersMs',
  UND_ERR_BODY_TIMEOUT: 'bodyMs',
};
/** Failures before any byte reached the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** Failures another try will not fix. */
const PERMANENT = new Set(['ENOTFOUND', 'ERR_INVALID_URL', 'UND_ERR_INVALID_ARG', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']);

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  return errorCode((error as { cause?: unknown }).cause);
}

export function classifyTransportError(error: unknown, context: TransportContext): TransportFailure {
  const where = `${context.connector} ${context.method} ${context.path}`;
  const base = { method: context.method, path: context.path, attempts: context.attempts, cause: error };
  if (error instanceof BodyTooLargeError) {
    return {
      error: new HttpError('HTTP_BODY_TOO_LARGE', `${where}: ${error.message}`, {
        ...base,
        hint: 'ask for smaller pages (a lower limit), or raise maxBodyBytes for this connection',
      }),
      retryable: false,
      notSent: false,
    };
  }
  const code = errorCode(error) ?? 'UNKNOWN';
  const timeout = TIMEOUT_CODES[code];
  if (timeout !== undefined) {
    const ms = context.timeouts[timeout];
    const phase = timeout === 'connectMs' ? 'connect' : timeout === 'headersMs' ? 'answer' : 'finish the body';
    return {
      error: new HttpError('HTTP_TIMEOUT', `${where}: no ${phase} within ${ms} ms (${code})`, {
        ...base,
        hint: `${context.origin} did not ${phase} in time: the API may be slow or down; retry later or raise the connection's timeouts`,
      }),
      retryable: true,
      notSent: code === 'UND_ERR_CONNECT_TIMEOUT',
    };
  }
  const detail = redactSecrets(error instanceof Error ? error.message : String(error), context.secrets);
  return {
    error: new HttpError('HTTP_NETWORK', `${where}: ${code} ${detail}`, {
      ...base,
      hint: `could not talk to ${context.origin} (${code}): check the connection's base URL and the network`,
    }),
    retryable: !PERMANENT.has(code),
    notSent: NOT_SENT.has(code),
  };
}
