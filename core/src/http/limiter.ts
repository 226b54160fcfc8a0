import type { RateHeaderReading, RateLimits } from '../contract/connector.js';
import { FerryError } from '../errors/ferry-error.js';
import { AdmissionQueue, DEFAULT_PRIORITY } from './admission-queue.js';
import { backoffDelay } from './backoff.js';
import { sharedWindowConnection } from './shared-window-connection.js';
import { DEFAULT_LEASE_MS, SharedWindows, sharedBudgetKey, type SharedBudgetOptions, type SharedGrant } from './shared-windows.js';
import { WindowLedger } from './window-ledger.js';

export interface LimiterOptions {
  /** Windows, penalties and the longest wait run this many times faster; 0 turns throttling off. */
  readonly timeScale?: number;
  /**
   * Longest wait for a spent window (the daily quota) before a call fails with `RATE_BUDGET_SPENT` (systemic)
   * instead of sleeping for hours. Default 15 minutes, divided by timeScale.
   */
  readonly maxWaitMs?: number;
  /**
   * Shares the windows through Redis with every process of the same budget (see SharedWindows): a call is
   * admitted only when the shared windows grant it, after this process' own windows have room. When Redis
   * cannot be reached, calls wait up to maxWaitMs, then fail with RATE_SHARED_UNAVAILABLE (systemic); they are
   * never let through on local limits alone.
   */
  readonly shared?: SharedBudgetOptions;
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
  /** Extra hold per call against timer and clock jitter: a slot frees `perMs + marginMs` after the answer. */
  readonly marginMs: number;
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
  /**
   * Mean time from a call's admission to its end (0 before any call ended). A slot is held that long plus
   * `perMs` and the margin, so at best `perMs / (perMs + marginMs + meanCallMs)` of a window's ceiling is
   * reachable without ever risking a 429.
   */
  readonly meanCallMs: number;
  /**
   * This process' view of each window. With shared windows, `available` counts this process' calls and what
   * the rate headers said; the shared count lives in Redis.
   */
  readonly windows: readonly WindowStats[];
  /** The windows are shared with other processes through Redis. */
  readonly shared: boolean;
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

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function stoppedError(): FerryError {
  return new FerryError('LIMITER_STOPPED', 'the rate limiter of this connection was stopped: the call was not sent', {
    hint: 'the process is shutting down (or a test forgot its limiters); run the pipeline again',
  });
}

/** A call waiting for room: admitting it starts the call (holding `slot` of the shared windows), dropping it rejects the caller. */
interface Waiter {
  start(slot: string | undefined): void;
  drop(reason: unknown): void;
}

/**
 * A limiter built from every declared window, each a sliding log of our calls (see WindowLedger). A call is
 * admitted the moment every window has room, no pause holds and fewer than maxConcurrent run; otherwise it
 * waits in a priority queue that is drained as soon as room appears (a slot's timer, the end of a pause, a
 * finished call once its caller has seen the answer). The result: a fresh budget goes out as one burst, never more than max within any
 * window length on the server side, and the steady state loses only the calls' round trip, the margin and
 * timer lag against the window.
 *
 * With `shared`, the windows are also kept in Redis for every process of the budget (SharedWindows): once the
 * local windows have room, one round trip asks for as many slots as calls wait, and only granted calls start.
 * A 429 pause is shared as well. The local windows stay as a free first check and carry what the rate headers say.
 *
 * Not Bottleneck: its local store takes a timer tick for every admission and admits one call at a time, which
 * caps a limiter at a few hundred calls per second and delays every call by several milliseconds.
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
  const maxConcurrent = limits?.maxConcurrent ?? Number.POSITIVE_INFINITY;
  const now = (): number => performance.now();
  const shared = options.shared === undefined || ledgers.length === 0 ? undefined : shareWindows(options.shared, ledgers, timeScale, maxWaitMs);
  const longestIndex = longest === undefined ? -1 : ledgers.indexOf(longest);

  const waiting = new AdmissionQueue<Waiter>();
  let running = 0;
  let stopped = false;
  let holding = false;
  let pausedUntil = 0;
  const idle: (() => void)[] = [];

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
    if (stopped) return;
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
      accrue();
      const at = now();
      for (const ledger of ledgers) ledger.expire(at);
      drain();
    }, Math.max(1, Math.ceil(due - now())));
    keepAlive(timer);
  }

  const hasRoom = (): boolean => !holding && running < maxConcurrent && ledgers.every((l) => l.available > 0);

  /** Admits waiting calls while there is room, then sets the timer for the next slot to free. */
  let draining = false;
  function drain(): void {
    if (draining) return;
    draining = true;
    try {
      if (waiting.size > 0) {
        // Slots due by now are free even if their timer has not fired yet (timers run late on a busy loop).
        accrue();
        const at = now();
        for (const ledger of ledgers) ledger.expire(at);
      }
      if (shared === undefined) {
        while (!stopped && waiting.size > 0 && hasRoom()) waiting.shift()?.start(undefined);
      } else {
        askShared(shared);
      }
    } finally {
      draining = false;
    }
    arm();
  }

  // Shared windows: one admission round trip at a time, asking for as many slots as calls wait (and the local
  // windows allow); a grant admits that many at once.
  let reserving: Promise<void> | undefined;
  let sharedRetryAt = 0;
  /** The shared wait is the daily window's (not a pause or a short window's): decides RATE_BUDGET_SPENT's kind. */
  let sharedWaitDaily = false;
  let sharedTimer: NodeJS.Timeout | undefined;
  let sharedTimerDue = Number.POSITIVE_INFINITY;
  let unavailableSince: number | undefined;
  let unavailableTries = 0;

  function localRoom(): number {
    let room = Math.min(waiting.size, maxConcurrent - running);
    for (const ledger of ledgers) room = Math.min(room, ledger.available);
    return room;
  }

  function askShared(windows: SharedWindows): void {
    if (reserving !== undefined || stopped || waiting.size === 0 || !hasRoom()) return;
    const waitMs = sharedRetryAt - now();
    if (waitMs > 0) {
      armShared(sharedRetryAt);
      return;
    }
    const askedAt = now();
    reserving = windows.reserve(localRoom()).then(
      (grant) => admitGranted(windows, grant),
      (error: unknown) => sharedFailed(error, askedAt),
    );
  }

  function armShared(due: number): void {
    if (stopped || (sharedTimer !== undefined && sharedTimerDue <= due)) return;
    if (sharedTimer !== undefined) clearTimeout(sharedTimer);
    sharedTimerDue = due;
    sharedTimer = setTimeout(() => {
      sharedTimer = undefined;
      sharedTimerDue = Number.POSITIVE_INFINITY;
      drain();
    }, Math.max(1, Math.ceil(due - now())));
    keepAlive(sharedTimer);
  }

  function admitGranted(windows: SharedWindows, grant: SharedGrant): void {
    reserving = undefined;
    unavailableSince = undefined;
    unavailableTries = 0;
    let used = 0;
    accrue();
    while (used < grant.slots.length && !stopped && waiting.size > 0 && hasRoom()) waiting.shift()?.start(grant.slots[used++]);
    // Callers that gave up (or a budget that shrank) meanwhile: those slots go back at once.
    if (used < grant.slots.length) windows.release(grant.slots.slice(used));
    if (grant.blockedBy === 'pause') {
      hold(grant.waitMs);
    } else if (grant.blockedBy !== undefined) {
      sharedRetryAt = now() + grant.waitMs;
      sharedWaitDaily = grant.blockedBy === longestIndex;
    }
    if (waiting.size > 0) {
      try {
        checkBudget();
      } catch (error) {
        for (const waiter of waiting.drain()) waiter.drop(error);
      }
    }
    drain();
  }

  /** Redis did not answer: retry with backoff until calls have waited maxWaitMs for it, then fail them. */
  function sharedFailed(error: unknown, askedAt: number): void {
    reserving = undefined;
    const at = now();
    unavailableSince ??= askedAt;
    unavailableTries += 1;
    if (at - unavailableSince >= maxWaitMs) {
      // Waited long enough: the run stops here. The next call waits for Redis afresh.
      unavailableSince = undefined;
      unavailableTries = 0;
      sharedRetryAt = 0;
      for (const waiter of waiting.drain()) waiter.drop(error);
      return;
    }
    const delay = Math.max(10, backoffDelay(unavailableTries, 100, 2000));
    sharedRetryAt = Math.min(at + delay, unavailableSince + maxWaitMs);
    drain();
  }

  /**
   * Drains once the current microtasks are done: the caller of a call that just ended handles its answer first,
   * so a 429 pauses the account before the next waiting call is let out.
   */
  let drainScheduled = false;
  function drainSoon(): void {
    if (drainScheduled) return;
    drainScheduled = true;
    setImmediate(() => {
      drainScheduled = false;
      drain();
    });
  }

  // Utilization: the share of the tightest window our calls held, averaged over the time calls were active.
  // At the ceiling every slot is always held; a lone burst of 5 calls against a window of 100 holds 5%.
  let sent = 0;
  let callsEnded = 0;
  let callMsTotal = 0;
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
    keepAlive(sharedTimer);
  }

  function end(): void {
    accrue();
    active -= 1;
    if (active > 0) return;
    keepAlive(timer);
    keepAlive(pauseTimer);
    keepAlive(sharedTimer);
  }

  function checkBudget(): void {
    const at = now();
    const waits = ledgers.map((l) => (l.freeAt() ?? at) - at);
    const sharedWait = sharedRetryAt - at;
    const waitMs = Math.max(pausedUntil - at, sharedWait, ...waits);
    if (waitMs > maxWaitMs) {
      // Which budget ran out tells the person what to do: wait for the day's reset, or for the API's penalty.
      const daily = (longest !== undefined && (longest.freeAt() ?? at) - at === waitMs) || (sharedWaitDaily && sharedWait === waitMs);
      const spent = daily ? 'daily' : 'penalty';
      throw new FerryError('RATE_BUDGET_SPENT', `the rate budget is spent for the next ${Math.ceil(waitMs / 1000)} s`, {
        hint: 'the daily quota (or a long penalty) is used up: the run stops at its last checkpoint; run it again later',
        details: { systemic: true, waitMs, spent },
      });
    }
  }

  /** Runs an admitted call; its slot is held from now until `perMs` (plus the margin) after it settles. */
  function run<T>(task: () => Promise<T>, slot: string | undefined): Promise<T> {
    accrue();
    const admittedAt = now();
    running += 1;
    for (const ledger of ledgers) ledger.admit();
    sent += 1;
    let call: Promise<T>;
    try {
      call = task();
    } catch (error) {
      call = Promise.reject(error);
    }
    const release = (): void => {
      accrue();
      running -= 1;
      const at = now();
      for (const ledger of ledgers) ledger.finish(at, true);
      if (slot !== undefined) shared?.finish(slot);
      callsEnded += 1;
      callMsTotal += at - admittedAt;
      end();
      if (running === 0) for (const resolve of idle.splice(0)) resolve();
      drainSoon();
    };
    call.then(release, release);
    return call;
  }

  /** Holds every queued call of this process for `ms` (extends, never shortens, a running pause). */
  function hold(ms: number): void {
    const until = now() + ms;
    if (until <= pausedUntil) return;
    pausedUntil = until;
    holding = true;
    if (pauseTimer !== undefined) clearTimeout(pauseTimer);
    // A timer may fire a fraction of a millisecond early: nothing leaves before the pause has really ended.
    const endPause = (): void => {
      const left = pausedUntil - now();
      if (left > 0) {
        pauseTimer = setTimeout(endPause, Math.max(1, Math.ceil(left)));
        keepAlive(pauseTimer);
        return;
      }
      pauseTimer = undefined;
      holding = false;
      drain();
    };
    pauseTimer = setTimeout(endPause, Math.max(1, Math.ceil(ms)));
    keepAlive(pauseTimer);
  }

  return {
    timeScale,
    schedule<T>(task: () => Promise<T>, scheduleOptions: ScheduleOptions = {}): Promise<T> {
      const { signal, priority } = scheduleOptions;
      if (stopped) return Promise.reject(stoppedError());
      if (signal?.aborted === true) return Promise.reject(abortError(signal));
      try {
        checkBudget();
      } catch (error) {
        return Promise.reject(error);
      }
      begin();
      return new Promise<T>((resolve, reject) => {
        let state: 'waiting' | 'running' | 'done' = 'waiting';
        const onAbort = (): void => {
          if (signal === undefined) return;
          if (state === 'waiting' && waiting.remove(waiter)) end();
          // A running call settles on its own (its slot stays held until then); the caller hears at once.
          settle(() => reject(abortError(signal)));
        };
        const settle = (finish: () => void): void => {
          if (state === 'done') return;
          state = 'done';
          signal?.removeEventListener('abort', onAbort);
          finish();
        };
        const waiter: Waiter = {
          start(slot) {
            state = 'running';
            run(task, slot).then(
              (value) => settle(() => resolve(value)),
              (error: unknown) => settle(() => reject(error)),
            );
          },
          drop(reason) {
            end();
            settle(() => reject(reason));
          },
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiting.push(waiter, priority ?? DEFAULT_PRIORITY);
        drain();
      });
    },

    observe(headers) {
      const reading = limits?.readHeaders?.(headers) ?? {};
      const at = now();
      const shrink = (ledger: WindowLedger | undefined, remaining: number | undefined, until: number): void => {
        if (ledger === undefined || remaining === undefined) return;
        const excess = ledger.available - Math.max(0, remaining);
        if (excess > 0) {
          accrue();
          ledger.takeForeign(excess, until);
        }
      };
      shrink(shortest, reading.remaining, at + (reading.resetInMs ?? shortest?.perMs ?? 0));
      shrink(longest, reading.dailyRemaining, at + (longest?.perMs ?? 0));
      arm();
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
      hold(ms);
      // Every process of the budget backs off; if Redis is down, its admissions fail anyway.
      shared?.pause(ms).catch(() => undefined);
    },

    stats() {
      accrue();
      const at = now();
      return {
        queued: waiting.size,
        running,
        sent,
        pausedForMs: Math.max(0, pausedUntil - at),
        utilization: busyMs === 0 ? 0 : heldMs / busyMs,
        meanCallMs: callsEnded === 0 ? 0 : callMsTotal / callsEnded,
        windows: ledgers.map((l) => ({ max: l.max, perMs: l.perMs, marginMs: l.marginMs, available: l.available })),
        shared: shared !== undefined,
      };
    },

    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      if (pauseTimer !== undefined) clearTimeout(pauseTimer);
      if (sharedTimer !== undefined) clearTimeout(sharedTimer);
      timer = pauseTimer = sharedTimer = undefined;
      for (const waiter of waiting.drain()) waiter.drop(stoppedError());
      // Like Bottleneck's stop: calls already sent finish first.
      if (running > 0) await new Promise<void>((resolve) => idle.push(resolve));
      // A grant on its way back is released; then the last updates reach Redis.
      await reserving;
      await shared?.close();
    },
  };
}

/** The shared windows of a limiter: the same windows as its ledgers, in Redis. */
function shareWindows(options: SharedBudgetOptions, ledgers: readonly WindowLedger[], timeScale: number, maxWaitMs: number): SharedWindows {
  const connection = options.redis;
  return new SharedWindows({
    redis: typeof connection === 'string' ? sharedWindowConnection(connection) : { get: () => Promise.resolve(connection) },
    budgetKey: sharedBudgetKey(options, timeScale),
    windows: ledgers.map((l) => ({ max: l.max, perMs: l.perMs, marginMs: l.marginMs })),
    leaseMs: options.leaseMs ?? Math.max(2000, DEFAULT_LEASE_MS / timeScale),
    // One slow answer must not outlast the whole wait a call may spend on Redis.
    commandTimeoutMs: Math.min(2000, Math.max(200, maxWaitMs)),
    ...(options.bucketAboveMs === undefined ? {} : { bucketAboveMs: options.bucketAboveMs }),
  });
}
