import { http, HttpResponse } from 'msw';
import { createSandboxRateWindow, type SandboxRateWindow } from '../sandbox/rate-window.js';
import { serveHandlers, type LoopbackServer } from '../sandbox/serve-handlers.js';

/** A loopback API that enforces one rate window like a real server, for limiter and client tests. */
export interface RateLimitedApi extends LoopbackServer {
  readonly window: SandboxRateWindow;
  /** performance.now() of every request the server accepted. */
  readonly accepted: number[];
  /** Spends budget as another app sharing the account would. */
  spendForeign(count: number): void;
}

export async function serveRateLimitedApi(options: {
  max: number;
  perMs: number;
  mode: 'fixed' | 'sliding';
  /** Send X-RateLimit-Remaining / X-RateLimit-Reset-Ms like GHL does. */
  headers?: boolean;
}): Promise<RateLimitedApi> {
  const window = createSandboxRateWindow({ max: options.max, perMs: options.perMs, mode: options.mode });
  const accepted: number[] = [];
  const server = await serveHandlers([
    http.all('*', () => {
      const decision = window.hit();
      const headers: Record<string, string> =
        options.headers === true
          ? { 'x-ratelimit-remaining': String(decision.remaining), 'x-ratelimit-reset-ms': String(Math.ceil(decision.resetInMs)) }
          : {};
      if (!decision.allowed) return HttpResponse.json({ message: 'Too Many Requests' }, { status: 429, headers });
      accepted.push(performance.now());
      return HttpResponse.json({ ok: true }, { headers });
    }),
  ]);
  return {
    ...server,
    window,
    accepted,
    spendForeign(count) {
      for (let i = 0; i < count; i += 1) window.hit();
    },
  };
}

/** The readHeaders a connector would declare for the fixture's headers. */
export function readFixtureHeaders(headers: Readonly<Record<string, string | undefined>>): { remaining?: number; resetInMs?: number } {
  const remaining = headers['x-ratelimit-remaining'];
  const reset = headers['x-ratelimit-reset-ms'];
  return {
    ...(remaining === undefined ? {} : { remaining: Number(remaining) }),
    ...(reset === undefined ? {} : { resetInMs: Number(reset) }),
  };
}
