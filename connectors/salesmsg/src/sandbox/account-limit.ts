import { createSandboxRateWindow, type JsonRecord, type SandboxRateWindow } from '@ferry/core';
import { RATE_LIMIT } from '../api-table.js';

const MINUTE_MS = 60_000;

/**
 * The account's limit as the API enforces it: 60 requests per minute, then every request is answered 429 for
 * 60 seconds (the lockout does not count against the next minute). Time-scaled; timeScale 0 never limits.
 * A second, unlimited sliding window measures the most requests the server accepted within any 60 s, so tests
 * and benchmarks can assert "never above 60 in any minute" whatever the enforcement mode.
 */
export class AccountLimit {
  private readonly window: SandboxRateWindow;
  private readonly meter: SandboxRateWindow;
  private lockedUntil = Number.NEGATIVE_INFINITY;
  private readonly penaltyMs: number;
  admitted = 0;
  rateLimited = 0;
  lockouts = 0;

  constructor(
    private readonly timeScale: number,
    mode: 'fixed' | 'sliding',
    private readonly now: () => number,
  ) {
    this.window = createSandboxRateWindow({ max: RATE_LIMIT.perMinute, perMs: MINUTE_MS, timeScale, mode, now });
    this.meter = createSandboxRateWindow({ max: Number.MAX_SAFE_INTEGER, perMs: MINUTE_MS, timeScale: timeScale === 0 ? 1 : timeScale, mode: 'sliding', now });
    this.penaltyMs = timeScale > 0 ? RATE_LIMIT.penaltyMs / timeScale : 0;
  }

  /** Counts one request: true when it may proceed, false when it gets a 429. */
  admit(): boolean {
    if (this.timeScale === 0) {
      this.accept();
      return true;
    }
    const at = this.now();
    if (at < this.lockedUntil) {
      this.rateLimited += 1;
      return false;
    }
    if (!this.window.hit().allowed) {
      this.lockedUntil = at + this.penaltyMs;
      this.lockouts += 1;
      this.rateLimited += 1;
      return false;
    }
    this.accept();
    return true;
  }

  private accept(): void {
    this.admitted += 1;
    this.meter.hit();
  }

  stats(): JsonRecord {
    return {
      admitted: this.admitted,
      rateLimited: this.rateLimited,
      lockouts: this.lockouts,
      windowMax: RATE_LIMIT.perMinute,
      windowMs: this.timeScale > 0 ? MINUTE_MS / this.timeScale : null,
      penaltyMs: this.penaltyMs,
      /** Most requests accepted in any rolling window (time-scaled minute). */
      peakInWindow: this.meter.peak,
    };
  }
}
