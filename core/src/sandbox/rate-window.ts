/**
 * A server-side rate window for sandboxes: counts requests like the real API does and says when to answer 429.
 * `fixed` windows start at multiples of the window length (epoch-aligned, like most APIs); `sliding` windows
 * count the requests of the last `perMs` milliseconds.
 */
export interface SandboxRateWindowOptions {
  readonly max: number;
  /** Window length at real speed; divided by `timeScale`. */
  readonly perMs: number;
  /** Runs the window this many times faster; 0 disables limiting (every request is allowed). */
  readonly timeScale?: number;
  readonly mode?: 'fixed' | 'sliding';
  readonly now?: () => number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** Requests left in the current window after this one. */
  readonly remaining: number;
  /** Milliseconds until the window frees a slot. */
  readonly resetInMs: number;
}

export interface SandboxRateWindow {
  /** Counts one request and decides whether it is allowed. */
  hit(): RateDecision;
  readonly max: number;
  /** Window length after time scaling. */
  readonly perMs: number;
  /** Most requests seen allowed within one window: never above `max`. */
  readonly peak: number;
  readonly rejected: number;
}

export function createSandboxRateWindow(options: SandboxRateWindowOptions): SandboxRateWindow {
  const timeScale = options.timeScale ?? 1;
  const perMs = timeScale === 0 ? Number.POSITIVE_INFINITY : options.perMs / timeScale;
  const now = options.now ?? (() => Date.now());
  const mode = options.mode ?? 'fixed';
  let peak = 0;
  let rejected = 0;
  // fixed: start and count of the current window; sliding: times of the allowed requests still in the window.
  let windowStart = Number.NEGATIVE_INFINITY;
  let windowCount = 0;
  const recent: number[] = [];

  function decideFixed(at: number): RateDecision {
    const start = Math.floor(at / perMs) * perMs;
    if (start !== windowStart) {
      windowStart = start;
      windowCount = 0;
    }
    const resetInMs = windowStart + perMs - at;
    if (windowCount >= options.max) return { allowed: false, remaining: 0, resetInMs };
    windowCount += 1;
    peak = Math.max(peak, windowCount);
    return { allowed: true, remaining: options.max - windowCount, resetInMs };
  }

  function decideSliding(at: number): RateDecision {
    while (recent.length > 0 && (recent[0] ?? 0) <= at - perMs) recent.shift();
    if (recent.length >= options.max) {
      return { allowed: false, remaining: 0, resetInMs: (recent[0] ?? at) + perMs - at };
    }
    recent.push(at);
    peak = Math.max(peak, recent.length);
    return { allowed: true, remaining: options.max - recent.length, resetInMs: (recent[0] ?? at) + perMs - at };
  }

  return {
    hit() {
      if (timeScale === 0) return { allowed: true, remaining: options.max, resetInMs: 0 };
      const decision = mode === 'fixed' ? decideFixed(now()) : decideSliding(now());
      if (!decision.allowed) rejected += 1;
      return decision;
    },
    max: options.max,
    perMs,
    get peak() {
      return peak;
    },
    get rejected() {
      return rejected;
    },
  };
}
