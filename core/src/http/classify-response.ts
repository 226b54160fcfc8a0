import type { HttpProfile } from '../contract/http.js';
import { HttpError, type HttpErrorCode } from './http-error.js';
import { dailyQuotaSpentHint, dailyQuotaSpentMessage } from './spent-quota.js';

/** What is known about a failed response when it is turned into an HttpError. */
export interface FailedResponse {
  readonly status: number;
  readonly method: string;
  /** Redacted path with query. */
  readonly path: string;
  readonly body: unknown;
  readonly bodyText: string;
  readonly apiMessage: string | undefined;
  readonly traceId: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** The daily quota is spent (rate headers said so). */
  readonly dailyQuotaSpent: boolean;
  readonly attempts: number;
}

export interface FailureContext {
  readonly connection: string;
  readonly connector: string;
  readonly account: string;
  readonly profile: HttpProfile | undefined;
  /** Scope the call needs, when the connector said. */
  readonly scope: string | undefined;
}

const LOCATION_DENIED = /does not have access to this location/i;
const SCOPE = /\bscopes?\b/i;
/** Scope names look like `contacts.readonly` or `contacts:write`. */
const SCOPE_NAME = /\b([a-z][a-z_-]*[.:][a-z][a-z_.:-]*[a-z])\b/i;

function codeFor(response: FailedResponse, profile: HttpProfile | undefined): HttpErrorCode {
  const { status, apiMessage = '' } = response;
  const authFailure = status === 401 || profile?.isAuthFailure?.(status, response.body) === true;
  if (authFailure) return SCOPE.test(apiMessage) ? 'HTTP_MISSING_SCOPE' : 'HTTP_UNAUTHORIZED';
  if (status === 403) {
    if (LOCATION_DENIED.test(apiMessage)) return 'HTTP_FORBIDDEN_LOCATION';
    return SCOPE.test(apiMessage) ? 'HTTP_MISSING_SCOPE' : 'HTTP_FORBIDDEN';
  }
  if (status === 404) return 'HTTP_NOT_FOUND';
  if (status === 400 || status === 422) return 'HTTP_VALIDATION';
  if (status === 429) return 'HTTP_RATE_LIMITED';
  if (status >= 500) return 'HTTP_SERVER';
  return 'HTTP_CLIENT';
}

function hintFor(code: HttpErrorCode, response: FailedResponse, context: FailureContext): string {
  const auth = `\`ferry auth ${context.connection}\``;
  const trace = response.traceId === undefined ? '' : ` (trace id ${response.traceId})`;
  switch (code) {
    case 'HTTP_UNAUTHORIZED':
      return `token expired or revoked: run ${auth}`;
    case 'HTTP_FORBIDDEN_LOCATION':
      return `the token belongs to another location than '${context.account}': run ${auth} and choose that location, or fix locationId of connection '${context.connection}'`;
    case 'HTTP_MISSING_SCOPE': {
      const scope = context.scope ?? SCOPE_NAME.exec(response.apiMessage ?? '')?.[1] ?? 'a scope this token lacks';
      return `the pipeline needs ${scope}: run ${auth} again to grant it`;
    }
    case 'HTTP_FORBIDDEN':
      return `the token may not do this: check the permissions of the user or app behind connection '${context.connection}'`;
    case 'HTTP_NOT_FOUND':
      return `the record or route does not exist: check the id, and the base URL of connection '${context.connection}'`;
    case 'HTTP_VALIDATION':
      return response.apiMessage === undefined
        ? 'the API rejected the data: check the field map of this pipeline'
        : `the API rejected the data: ${response.apiMessage}`;
    case 'HTTP_RATE_LIMITED':
      return response.dailyQuotaSpent
        ? dailyQuotaSpentHint(context.account)
        : `still rate limited after ${response.attempts} attempts: another app may share this account's budget; lower concurrency or run later`;
    case 'HTTP_SERVER':
      return `the API failed on its side after ${response.attempts} attempt(s): try again later${trace === '' ? '' : `; give the vendor's support the trace id ${response.traceId ?? ''}`}`;
    default:
      return `the API refused the request${trace}: check what the pipeline sends`;
  }
}

/** The HttpError for a response that is not a success: code, systemic flag, the API's message and a hint. */
export function errorFromResponse(response: FailedResponse, context: FailureContext): HttpError {
  const code = codeFor(response, context.profile);
  const systemic =
    code === 'HTTP_UNAUTHORIZED' ||
    code === 'HTTP_FORBIDDEN_LOCATION' ||
    code === 'HTTP_MISSING_SCOPE' ||
    (code === 'HTTP_RATE_LIMITED' && response.dailyQuotaSpent);
  const said = response.apiMessage === undefined ? '' : `: ${response.apiMessage}`;
  const trace = response.traceId === undefined ? '' : ` (trace ${response.traceId})`;
  const quota = code === 'HTTP_RATE_LIMITED' && response.dailyQuotaSpent ? `: ${dailyQuotaSpentMessage(context.account, undefined)}` : '';
  return new HttpError(code, `${context.connector} ${response.method} ${response.path} → ${response.status}${quota}${said}${trace}`, {
    status: response.status,
    method: response.method,
    path: response.path,
    traceId: response.traceId,
    apiMessage: response.apiMessage,
    systemic,
    retryAfterMs: response.retryAfterMs,
    body: response.bodyText,
    attempts: response.attempts,
    hint: hintFor(code, response, context),
  });
}
