import { setTimeout as sleep } from 'node:timers/promises';
import type { RateLimits } from '../contract/connector.js';
import type { HttpClient, HttpProfile, HttpRequest, HttpResponse, HttpStats } from '../contract/http.js';
import type { Logger } from '../contract/logger.js';
import { FerryError } from '../errors/ferry-error.js';
import { apiMessageOf, traceIdOf } from './api-message.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { errorFromResponse, type FailureContext } from './classify-response.js';
import { classifyTransportError } from './classify-transport.js';
import { HttpError } from './http-error.js';
import { limiterFor } from './limiter-registry.js';
import { createLimiter, type Limiter } from './limiter.js';
import { poolFor } from './pool-registry.js';
import { redactPath, redactSecrets, truncate } from './redact.js';
import { buildRequestUrl } from './request-url.js';
import { dailyQuotaSpentHint, dailyQuotaSpentMessage } from './spent-quota.js';
import { DEFAULT_MAX_BODY_BYTES, MalformedBodyError, parseBody, parseBodyLeniently, readBodyCapped } from './response-body.js';
import type { TokenProvider } from './token-provider.js';

export interface HttpTimeouts {
  /** Opening a connection. Shared per origin: the first client of an origin sets it. */
  readonly connectMs: number;
  /** From sending the request to the response headers. */
  readonly headersMs: number;
  /** Longest silence while the body streams in. */
  readonly bodyMs: number;
}

export interface RetryOptions {
  /** Tries in all for a call failing with 5xx, a network error, a timeout or malformed JSON (default 5). */
  readonly attempts?: number;
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** 429s have their own budget: each waits out the penalty rather than a short backoff (default 10). */
  readonly rateLimitedAttempts?: number;
}

export interface HttpClientOptions {
  readonly connector: string;
  /** The rate-limit bucket: GHL locationId, Salesmsg account. */
  readonly account: string;
  /** Connection name, for hints (`ferry auth <connection>`); default the connector name. */
  readonly connection?: string;
  readonly baseUrl: string;
  readonly profile: HttpProfile;
  readonly limits?: RateLimits;
  readonly token?: TokenProvider;
  readonly log: Logger;
  readonly timeouts?: Partial<HttpTimeouts>;
  readonly retry?: RetryOptions;
  /** A limiter to share; default the registry's limiter for (connector, account). */
  readonly limiter?: Limiter;
  /** Rate windows and penalties run this many times faster (sandboxes, benches). */
  readonly timeScale?: number;
  readonly maxBodyBytes?: number;
  /** Jitter source, for reproducible tests. */
  readonly random?: () => number;
}

/** The client's counters plus what the engine needs to tell its own calls apart. */
export interface CoreHttpClient extends HttpClient {
  readonly limiter: Limiter;
}

const DEFAULT_TIMEOUTS: HttpTimeouts = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000 };
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const USER_AGENT = 'ferry/0.1 (+https://github.com/ferry-etl/ferry)';

interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly bytes: Buffer;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

function isAbort(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (error instanceof Error && error.name === 'AbortError');
}

/**
 * The one HTTP client every connector call goes through: keep-alive pool per origin, the shared limiter of
 * (connector, account), retries with full-jitter backoff for what is worth retrying, a single token refresh
 * on 401, and HttpErrors that carry status, the API's message, trace id and a hint — never a secret.
 */
export function createHttpClient(options: HttpClientOptions): CoreHttpClient {
  // A sandbox run faster than real time also gets shorter default timeouts (its timeout faults would otherwise
  // stall it for real-time seconds); never below 2 s, as undici checks these timers about once a second.
  const scale = options.timeScale ?? 1;
  const scaledDefault = (ms: number): number => (scale > 1 ? Math.max(2000, ms / scale) : ms);
  const timeouts: HttpTimeouts = {
    connectMs: scaledDefault(DEFAULT_TIMEOUTS.connectMs),
    headersMs: scaledDefault(DEFAULT_TIMEOUTS.headersMs),
    bodyMs: scaledDefault(DEFAULT_TIMEOUTS.bodyMs),
    ...options.timeouts,
  };
  const attempts = Math.max(1, options.retry?.attempts ?? 5);
  const rateLimitedAttempts = Math.max(0, options.retry?.rateLimitedAttempts ?? 10);
  const baseMs = options.retry?.baseMs ?? 250;
  const maxMs = options.retry?.maxMs ?? 30_000;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const random = options.random ?? Math.random;
  const connection = options.connection ?? options.connector;
  const origin = new URL(options.baseUrl).origin;
  const limiterOptions = options.timeScale === undefined ? {} : { timeScale: options.timeScale };
  const limiter =
    options.limiter ??
    (options.limits === undefined ? createLimiter(undefined, limiterOptions) : limiterFor(options.connector, options.account, options.limits, limiterOptions));
  const log = options.log.child({ connector: options.connector, account: options.account });
  const counters = { calls: 0, retries: 0, rateLimited: 0 };

  async function send(request: HttpRequest, target: string, token: string | undefined): Promise<RawResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': USER_AGENT,
      ...options.profile.headers,
      ...request.headers,
    };
    let body: string | undefined;
    if (request.form !== undefined) {
      body = new URLSearchParams(request.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] = 'application/json';
    }
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    counters.calls += 1;
    const response = await poolFor(origin, { connectMs: timeouts.connectMs }).request({
      path: target,
      method: request.method,
      headers,
      body: body ?? null,
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
      signal: request.signal ?? null,
    });
    const flat = flattenHeaders(response.headers);
    const bytes = await readBodyCapped(response.body, maxBodyBytes, flat['content-length']);
    return { status: response.statusCode, headers: flat, bytes };
  }

  async function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (ms > 0) await sleep(ms, undefined, signal === undefined ? {} : { signal });
  }

  async function request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
    const url = buildRequestUrl(options.baseUrl, request.path, request.query);
    const target = `${url.pathname}${url.search}`;
    const path = redactPath(target);
    const method = request.method;
    const idempotent = IDEMPOTENT.has(method) || request.retrySafe === true;
    const useToken = options.token !== undefined && request.anonymous !== true;
    const context: FailureContext = {
      connection,
      connector: options.connector,
      account: options.account,
      profile: options.profile,
      scope: request.scope,
    };
    let failures = 0;
    let rateLimitedRetries = 0;
    let refreshed = false;

    for (;;) {
      const token = useToken ? await options.token?.getToken() : undefined;
      const secrets = [token];
      const tries = failures + rateLimitedRetries + 1;
      let raw: RawResponse;
      try {
        raw = await limiter.schedule(() => send(request, target, token), request.signal === undefined ? {} : { signal: request.signal });
      } catch (error) {
        if (isAbort(error, request.signal)) throw request.signal?.reason ?? error;
        if (error instanceof FerryError && error.code === 'RATE_BUDGET_SPENT') {
          const daily = error.details['spent'] === 'daily';
          const waitMs = typeof error.details['waitMs'] === 'number' ? error.details['waitMs'] : undefined;
          throw new HttpError(
            'HTTP_RATE_LIMITED',
            `${options.connector} ${method} ${path}: ${daily ? dailyQuotaSpentMessage(options.account, waitMs) : error.message}`,
            {
              method,
              path,
              systemic: true,
              attempts: tries,
              hint: daily ? dailyQuotaSpentHint(options.account) : (error.hint ?? 'the rate budget is spent: run again later'),
              cause: error,
            },
          );
        }
        // Redis of the shared budget is gone: the call was never sent, and retrying here would not help.
        if (error instanceof FerryError && error.code === 'RATE_SHARED_UNAVAILABLE') throw error;
        const failure = classifyTransportError(error, { connector: options.connector, method, path, origin, attempts: tries, timeouts, secrets });
        failures += 1;
        if (failure.retryable && (idempotent || failure.notSent) && failures < attempts) {
          const delay = backoffDelay(failures, baseMs, maxMs, random);
          log.debug({ method, path, code: failure.error.code, attempt: tries, delayMs: delay }, 'call failed, retrying');
          counters.retries += 1;
          await wait(delay, request.signal);
          continue;
        }
        throw failure.error;
      }

      const reading = limiter.observe(raw.headers);
      log.debug({ method, path, status: raw.status, bytes: raw.bytes.length, attempt: tries }, 'call answered');
      const contentType = raw.headers['content-type'];
      const ok = (raw.status >= 200 && raw.status < 300) || request.allowStatus?.includes(raw.status) === true;
      if (ok) {
        let body: unknown;
        try {
          body = raw.status >= 200 && raw.status < 300 ? parseBody(raw.bytes, contentType) : parseBodyLeniently(raw.bytes, contentType);
        } catch (error) {
          if (!(error instanceof MalformedBodyError)) throw error;
          failures += 1;
          const traceId = traceIdOf(raw.headers, undefined, options.profile);
          if (idempotent && failures < attempts) {
            const delay = backoffDelay(failures, baseMs, maxMs, random);
            log.debug({ method, path, status: raw.status, traceId, attempt: tries, delayMs: delay }, 'malformed JSON, retrying');
            counters.retries += 1;
            await wait(delay, request.signal);
            continue;
          }
          throw new HttpError('HTTP_MALFORMED_RESPONSE', `${options.connector} ${method} ${path} → ${raw.status}: the body is not valid JSON${traceId === undefined ? '' : ` (trace ${traceId})`}`, {
            status: raw.status,
            method,
            path,
            traceId,
            attempts: tries,
            body: truncate(redactSecrets(error.text, secrets)),
            hint: `the API answered with a broken body: retry later${traceId === undefined ? '' : `; give the vendor's support the trace id ${traceId}`}`,
            cause: error,
          });
        }
        return { status: raw.status, headers: raw.headers, body: body as T, traceId: traceIdOf(raw.headers, body, options.profile) };
      }

      const body = parseBodyLeniently(raw.bytes, contentType);
      const retryAfterMs = parseRetryAfter(raw.headers['retry-after']);
      const apiMessage = apiMessageOf(raw.status, body, options.profile);
      const failed = errorFromResponse(
        {
          status: raw.status,
          method,
          path,
          body,
          bodyText: truncate(redactSecrets(raw.bytes.toString('utf8'), secrets)),
          apiMessage: apiMessage === undefined ? undefined : truncate(redactSecrets(apiMessage, secrets), 1000),
          traceId: traceIdOf(raw.headers, body, options.profile),
          retryAfterMs,
          dailyQuotaSpent: raw.status === 429 && reading.dailyRemaining !== undefined && reading.dailyRemaining <= 0,
          attempts: tries,
        },
        context,
      );

      if (raw.status === 429) {
        counters.rateLimited += 1;
        if (failed.systemic) throw failed;
        const pauseMs = limiter.penaltyFor(reading, retryAfterMs);
        limiter.pause(pauseMs);
        log.warn({ method, path, pauseMs, traceId: failed.traceId }, 'rate limited by the API: pausing every call of this account');
        // A 429 means the server did not act on the call, so even a POST may be sent again.
        if (rateLimitedRetries < rateLimitedAttempts) {
          rateLimitedRetries += 1;
          counters.retries += 1;
          continue;
        }
        throw failed;
      }

      // A refused token may just be stale: one refresh, one more try. (A missing scope needs a new grant.)
      if (failed.code === 'HTTP_UNAUTHORIZED' && useToken && !refreshed) {
        refreshed = true;
        if ((await options.token?.onUnauthorized(token)) === true) {
          log.info({ method, path }, 'token refused, retrying with a fresh one');
          continue;
        }
      }

      if (failed.code === 'HTTP_SERVER' && idempotent) {
        failures += 1;
        if (failures < attempts) {
          const delay = Math.max(retryAfterMs ?? 0, backoffDelay(failures, baseMs, maxMs, random));
          log.debug({ method, path, status: raw.status, traceId: failed.traceId, attempt: tries, delayMs: delay }, 'server error, retrying');
          counters.retries += 1;
          await wait(delay, request.signal);
          continue;
        }
      }
      throw failed;
    }
  }

  return {
    request,
    limiter,
    get stats(): HttpStats {
      return { ...counters, utilization: limiter.stats().utilization };
    },
  };
}
