import Bottleneck from 'bottleneck';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RateHeaderReading, RateLimits } from '../contract/connector.js';
import { FerryError } from '../errors/ferry-error.js';
import { WindowLedger } from './window-ledger.js';

export interface LimiterOptions {
  /** Windows, penalties and the longest wait run this many times faster; 0 turns throttling off. */
  readonly timeScale?: number;
  /**
   * Longest wait for a spent window (the daily quota) before a call fails with `RATE_BUDGET_SPENT` (systemic)
   * instead of sleeping for hours. Default 15 minutes, divided by timeScale.
   */
  readonly maxWaitMs?: number;
}

export interface ScheduleOptions {
  /** 0 (first) to 9 (last); default 5. */
  readonly priority?: number;
  /** Aborting drops the call from the queue (or stops it waiting out a pause) and rejects at once. */
  readonly signal?: AbortSignal;
}

export interface WindowStats {
  readonly max: number;
  readonly perMs: number;
  /** Calls that may start now as far as this window goes (negative while others' calls fill it). */
  readonly available: number;
}

export interface LimiterStats {
  readonly queued: number;
  readonly running: number;
  /** Calls released to the network. */
  readonly sent: number;
  /** Milliseconds left of the current pause after a 429, 0 when not paused. */
  readonly pausedForMs: number;
  /** Share of the tightest window's budget used while calls were flowing (0..1). */
  readonly utilization: number;
  readonly windows: readonly WindowStats[];
}

export interface Limiter {
  /** Runs `task` when every window has room (and no pause holds): the task is one HTTP call. */
  schedule<T>(task: () => Promise<T>, options?: ScheduleOptions): Promise<T>;
  /** Reads the server's rate headers after a response and shrinks the budget when someone else spent it. */
  observe(headers: Readonly<Record<string, string | undefined>>): RateHeaderReading;
  /** How long a 429 pauses everything: Retry-After, else the header reset, else the penalty, else a window. */
  penaltyFor(reading: RateHeaderReading, retryAfterMs: number | undefined): number;
  /** Holds every queued call for `ms` (extends, never shortens, a running pause). */
  pause(ms: number): void;
  stats(): LimiterStats;
  /** Drops waiting calls and clears timers. */
  stop(): Promise<void>;
  readonly timeScale: number;
}

const DEFAULT_MAX_WAIT_MS = 15 * 60_000;
/** Taken from the reservoir while paused: no real budget comes near it. */
const PAUSE_HOLD = 1e9;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * A limiter built from every declared window. Bottleneck queues the calls (priority, maxConcurrent) and admits
 * one only while its reservoir is positive; the reservoir is kept equal to the smallest room left among the
 * windows, each window being a sliding log of our calls (see WindowLedger). The result: bursts up to a window's
 * max when the budget is fresh, never more than max within any window length on the server side, and about
 * 98-99% of the ceiling in steady state.
 */
export function createLimiter(limits: RateLimits | undefined, options: LimiterOptions = {}): Limiter {
  const timeScale = options.timeScale ?? 1;
  const scaled = (ms: number): number => (timeScale > 0 ? ms / timeScale : 0);
  const ledgers =
    timeScale > 0
      ? (limits?.windows ?? []).map((w) => {
          const perMs = scaled(w.perMs);
          return new WindowLedger(w.max, perMs, Math.min(250, Math.max(2, perMs * 0.002)));
        })
      : [];
  const byLength = [...ledgers].sort((a, b) => a.perMs - b.perMs);
  const shortest = byLength[0];
  const longest = byLength.length > 1 ? byLength[byLength.length - 1] : undefined;
  const maxWaitMs = options.maxWaitMs ?? scaled(DEFAULT_MAX_WAIT_MS);
  const now = (): number => performance.now();

  let holding = false;
  let pausedUntil = 0;
  const minAvailable = (): number =>
    Math.min(...ledgers.map((l) => l.available)) - (holding ? PAUSE_HOLD : 0);

  const bottleneck = new Bottleneck({
    maxConcurrent: limits?.maxConcurrent ?? null,
    reservoir: ledgers.length > 0 ? minAvailable() : null,
  });

  // One timer for the earliest slot to free anywhere; it keeps the process alive only while calls wait.
  let active = 0;
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Number.POSITIVE_INFINITY;
  let pauseTimer: NodeJS.Timeout | undefined;
  const keepAlive = (t: NodeJS.Timeout | undefined): void => {
    if (t === undefined) return;
    if (active > 0) t.ref();
    else t.unref();
  };

  function arm(): void {
    let due = Number.POSITIVE_INFINITY;
    for (const ledger of ledgers) due = Math.min(due, ledger.nextRelease() ?? Number.POSITIVE_INFINITY);
    if (due === timerDue) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    timerDue = due;
    if (due === Number.POSITIVE_INFINITY) return;
    // Timers may fire a little early: expire() then frees nothing and the next arm() waits the rest.
    timer = setTimeout(() => {
      timer = undefined;
      timerDue = Number.POSITIVE_INFINITY;
      change(() => {
        const at = now();
        for (const ledger of ledgers) ledger.expire(at);
      });
    }, Math.max(1, Math.ceil(due - now())));
    keepAlive(timer);
  }

  /**
   * Applies a change to the windows and moves the reservoir by the change of the smallest room. Admissions
   * lower every window alike, so working in differences stays exact even while Bottleneck admits a call
   * whose admit() has not run yet.
   */
  function change(mutate: () => void): void {
    if (ledgers.length === 0) {
      mutate();
      return;
    }
    accrue();
    const before = minAvailable();
    mutate();
    const delta = minAvailable() - before;
    if (delta !== 0) bottleneck.incrementReservoir(delta).catch(() => undefined);
    arm();
  }

  // Utilization: the share of the tightest window our calls held, averaged over the time calls were active.
  // At the ceiling every slot is always held; a lone burst of 5 calls against a window of 100 holds 5%.
  let sent = 0;
  let busyMs = 0;
  let heldMs = 0;
  let lastAccrual = now();
  function accrue(): void {
    const at = now();
    if (active > 0 && shortest !== undefined) {
      busyMs += at - lastAccrual;
      heldMs += (at - lastAccrual) * Math.min(1, shortest.ownHeld / shortest.max);
    }
    lastAccrual = at;
  }

  function begin(): void {
    accrue();
    active += 1;
    if (active > 1) return;
    keepAlive(timer);
    keepAlive(pauseTimer);
  }

  function end(): void {
    accrue();
    active -= 1;
    if (active > 0) return;
    keepAlive(timer);
    keepAlive(pauseTimer);
  }

  function checkBudget(): void {
    const at = now();
    const waits = ledgers.map((l) => (l.freeAt() ?? at) - at);
    const waitMs = Math.max(pausedUntil - at, ...waits);
    if (waitMs > maxWaitMs) {
      throw new FerryError('RATE_BUDGET_SPENT', `the rate budget is spent for the next ${Math.ceil(waitMs / 1000)} s`, {
        hint: 'the daily quota (or a long penalty) is used up: the run stops at its last checkpoint; run it again later',
        details: { systemic: true, waitMs },
      });
    }
  }

  async function runAdmitted<T>(task: () => Promise<T>, signal: AbortSignal | undefined, isAbandoned: () => boolean): Promise<T> {
    accrue();
    for (const ledger of ledgers) ledger.admit();
    let wasSent = false;
    try {
      while (now() < pausedUntil && !isAbandoned()) {
        await sleep(Math.ceil(pausedUntil - now()), undefined, signal === undefined ? {} : { signal });
      }
      if (isAbandoned() || signal?.aborted === true) throw signal === undefined ? new Error('abandoned') : abortError(signal);
      wasSent = true;
      sent += 1;
      return await task();
    } finally {
      const at = now();
      change(() => {
        for (const ledger of ledgers) ledger.finish(at, wasSent);
      });
    }
  }

  return {
    timeScale,
    schedule<T>(task: () => Promise<T>, scheduleOptions: ScheduleOptions = {}): Promise<T> {
      const { signal, priority } = scheduleOptions;
      if (signal?.aborted === true) return Promise.reject(abortError(signal));
      try {
        checkBudget();
      } catch (error) {
        return Promise.reject(error);
      }
      begin();
      let abandoned = false;
      const job = bottleneck.schedule({ priority: priority ?? 5 }, () => runAdmitted(task, signal, () => abandoned));
      const settled = job.finally(end);
      if (signal === undefined) return settled;
      return new Promise<T>((resolve, reject) => {
        const onAbort = (): void => {
          abandoned = true;
          reject(abortError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        settled.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },

    observe(headers) {
      const reading = limits?.readHeaders?.(headers) ?? {};
      const at = now();
      const shrink = (ledger: WindowLedger | undefined, remaining: number | undefined, until: number): void => {
        if (ledger === undefined || remaining === undefined) return;
        const excess = ledger.available - Math.max(0, remaining);
        if (excess > 0) change(() => ledger.takeForeign(excess, until));
      };
      shrink(shortest, reading.remaining, at + (reading.resetInMs ?? shortest?.perMs ?? 0));
      shrink(longest, reading.dailyRemaining, at + (longest?.perMs ?? 0));
      return reading;
    },

    penaltyFor(reading, retryAfterMs) {
      return (
        retryAfterMs ??
        reading.resetInMs ??
        (limits?.penaltyMs === undefined ? undefined : scaled(limits.penaltyMs)) ??
        shortest?.perMs ??
        scaled(1000)
      );
    },

    pause(ms) {
      const until = now() + ms;
      if (until <= pausedUntil) return;
      pausedUntil = until;
      if (!holding) change(() => (holding = true));
      if (pauseTimer !== undefined) clearTimeout(pauseTimer);
      pauseTimer = setTimeout(() => {
        pauseTimer = undefined;
        change(() => (holding = false));
      }, Math.max(1, Math.ceil(ms)));
      keepAlive(pauseTimer);
    },

    stats() {
      const counts = bottleneck.counts();
      accrue();
      const at = now();
      return {
        queued: counts.RECEIVED + counts.QUEUED,
        running: counts.RUNNING + counts.EXECUTING,
        sent,
        pausedForMs: Math.max(0, pausedUntil - at),
        utilization: busyMs === 0 ? 0 : heldMs / busyMs,
        windows: ledgers.map((l) => ({ max: l.max, perMs: l.perMs, available: l.available })),
      };
    },

    async stop() {
      if (timer !== undefined) clearTimeout(timer);
      if (pauseTimer !== undefined) clearTimeout(pauseTimer);
      timer = pauseTimer = undefined;
      await bottleneck.stop({ dropWaitingJobs: true });
    },
  };
}
