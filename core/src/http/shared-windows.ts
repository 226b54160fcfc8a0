import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DEFAULT_REDIS_PREFIX, rateKeyPrefix } from '../coordination/redis-prefix.js';
import { FerryError } from '../errors/ferry-error.js';
import { withWindowScripts } from './shared-window-scripts.js';

/**
 * Rate windows kept in Redis, so that every process (on every machine) calling one API account draws from one
 * budget. The semantics are WindowLedger's, across processes: a call holds a slot in every window from its
 * admission until `perMs + marginMs` after its response, so no `perMs`-long span of server arrival times ever
 * holds more than `max` calls of all processes together. All times are Redis' clock (`TIME` inside the
 * scripts), never a process' own.
 *
 * Admission is one atomic script for all windows: it drops what expired, counts, and grants up to n slots at
 * once (one round trip admits a whole burst) or says when the next slot can free. A granted slot is first
 * held on a LEASE (`perMs + marginMs + leaseMs` from now) and renewed every leaseMs / 3 while its call is in
 * flight; when the call ends its release time is rewritten to `end + perMs + marginMs`. A process that dies
 * (killed, machine lost) stops renewing: its slots free by themselves at most `leaseMs + perMs + marginMs`
 * after its last renewal, which still covers a call it sent just before dying.
 *
 * Short windows (up to `bucketAboveMs`, default 60 s) keep one sorted-set member per slot. Long windows (the
 * 200,000-a-day quota) keep members only for calls in flight and count finished calls in buckets of
 * `perMs / 288` (5 minutes a day); a bucket counts until its end plus the window, so the counter may hold a
 * slot up to one bucket longer than needed, never shorter.
 *
 * What is not guaranteed: a grant whose reply was lost (Redis restarted, a command timed out) holds its slots
 * until the lease runs out; a process whose event loop stalls longer than the lease may see its slots freed
 * early (the call's end adds them back).
 */

/** How a limiter shares its windows (LimiterOptions.shared). */
export interface SharedBudgetOptions {
  /** A redis:// URL (one connection per URL and process, opened on the first admission) or an open connection. */
  readonly redis: string | Redis;
  /** The budget's name: processes with the same name (and time scale) share it, e.g. `ghl/<locationId>`. */
  readonly budget: string;
  /** Prefix of every key (default `ferry:rate`; `rateKeyPrefix` makes it from ferry.yaml's `redis.prefix`). */
  readonly keyPrefix?: string;
  /** How long an in-flight call's slot survives without renewal (default 30 s, divided by the time scale, at least 2 s). */
  readonly leaseMs?: number;
  /** Windows longer than this (after time scaling) are counted in buckets (default 60 s). */
  readonly bucketAboveMs?: number;
}

export const DEFAULT_KEY_PREFIX = rateKeyPrefix(DEFAULT_REDIS_PREFIX);

/**
 * The Redis name of a budget. The time scale is part of it (a sandbox run at another speed is another world);
 * the braces keep all keys of one budget in one Redis Cluster slot, as one script touches them all.
 */
export function sharedBudgetKey(options: Pick<SharedBudgetOptions, 'budget' | 'keyPrefix'>, timeScale: number): string {
  return `${options.keyPrefix ?? DEFAULT_KEY_PREFIX}:{${options.budget}@x${timeScale}}`;
}

/** One window, after time scaling. */
export interface SharedWindowSpec {
  readonly max: number;
  readonly perMs: number;
  readonly marginMs: number;
}

/** Where the open connection comes from: a LazyRedis, or a fixed connection. */
export interface RedisSource {
  get(): Promise<Redis>;
}

export interface SharedWindowsOptions {
  readonly redis: RedisSource;
  /** Names the budget in Redis; every key of it starts with this (keep `{…}` in it for Redis Cluster). */
  readonly budgetKey: string;
  readonly windows: readonly SharedWindowSpec[];
  /** How long an in-flight call's slot survives without a renewal (default 30 s). */
  readonly leaseMs?: number;
  /** Longest wait for one Redis command before it counts as failed (default 2 s). */
  readonly commandTimeoutMs?: number;
  /** Windows longer than this are counted in buckets (default 60 s). */
  readonly bucketAboveMs?: number;
}

/** What one admission round trip gave. */
export interface SharedGrant {
  /** Slot ids, one per admitted call; each must end with finish() or release(). */
  readonly slots: readonly string[];
  /** Milliseconds until a slot can free again (0 when the windows were not full). */
  readonly waitMs: number;
  /** Why nothing (more) was granted: a shared pause, or the index of the window that is full. */
  readonly blockedBy: 'pause' | number | undefined;
}

export const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2000;
const DEFAULT_BUCKET_ABOVE_MS = 60_000;
const BUCKETS_PER_WINDOW = 288;
/** Keeps a script's argument list (and Lua's stack) small. */
const MAX_GRANT = 500;

function unavailable(budget: string, cause: unknown): FerryError {
  return new FerryError('RATE_SHARED_UNAVAILABLE', `the shared rate budget ${budget} in Redis cannot be reached`, {
    hint: 'check that Redis (the `redis:` URL in ferry.yaml) is running and reachable; calls wait for it up to the limiter\'s longest wait',
    details: { systemic: true, reason: cause instanceof Error ? cause.message : String(cause) },
    cause,
  });
}

function timeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function parseGrant(reply: unknown): { granted: number; waitMs: number; blocking: number } {
  if (!Array.isArray(reply) || reply.length < 3) throw new Error('unexpected reply from the reserve script');
  const [granted, waitMs, blocking] = reply.map(Number);
  if (granted === undefined || waitMs === undefined || blocking === undefined || [granted, waitMs, blocking].some(Number.isNaN)) {
    throw new Error('unexpected reply from the reserve script');
  }
  return { granted, waitMs, blocking };
}

export class SharedWindows {
  readonly leaseMs: number;
  private readonly commandTimeoutMs: number;
  private readonly keys: readonly string[];
  /** Per window: max, perMs, marginMs, bucket width (0: every slot is a member). */
  private readonly windowArgs: readonly number[];
  /** Unique per process and instance: slot ids never collide across processes. */
  private readonly idPrefix = randomBytes(9).toString('base64url');
  private sequence = 0;
  /** Slots of calls in flight, renewed until they finish. */
  private readonly inFlight = new Set<string>();
  private finishing: string[] = [];
  private flushScheduled = false;
  private renewTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly options: SharedWindowsOptions) {
    this.leaseMs = Math.max(1, Math.ceil(options.leaseMs ?? DEFAULT_LEASE_MS));
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const bucketAbove = options.bucketAboveMs ?? DEFAULT_BUCKET_ABOVE_MS;
    const keys = [`${options.budgetKey}:pause`];
    const args: number[] = [];
    for (const window of options.windows) {
      const name = `${options.budgetKey}:${window.perMs}ms`;
      keys.push(`${name}:slots`, `${name}:buckets`);
      const width = window.perMs > bucketAbove ? Math.max(1, Math.ceil(window.perMs / BUCKETS_PER_WINDOW)) : 0;
      args.push(window.max, window.perMs, window.marginMs, width);
    }
    this.keys = keys;
    this.windowArgs = args;
  }

  /** Asks for up to `wanted` slots in every window; rejects with RATE_SHARED_UNAVAILABLE when Redis fails. */
  async reserve(wanted: number): Promise<SharedGrant> {
    const count = Math.max(1, Math.min(MAX_GRANT, Math.floor(wanted)));
    this.sequence += 1;
    const base = `${this.idPrefix}.${this.sequence}`;
    const { granted, waitMs, blocking } = await this.command((redis) =>
      redis.ferryWindowsReserve(this.keys.length, ...this.keys, count, base, this.leaseMs, ...this.windowArgs).then(parseGrant),
    );
    const slots = Array.from({ length: granted }, (_, i) => `${base}:${i + 1}`);
    for (const slot of slots) this.inFlight.add(slot);
    if (slots.length > 0) this.armRenewal();
    return { slots, waitMs, blockedBy: blocking === 0 ? 'pause' : blocking > 0 ? blocking - 1 : undefined };
  }

  /** The call of `slot` ended now (sent): the slot is held for the window from now. Batched per tick. */
  finish(slot: string): void {
    if (!this.inFlight.delete(slot)) return;
    this.finishing.push(slot);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const slots = this.finishing;
      this.finishing = [];
      // A lost update only holds the slots until their lease runs out: never fewer slots than real.
      this.track(this.settle('finish', slots)).catch(() => undefined);
    });
  }

  /** Gives back slots whose calls were never sent. */
  release(slots: readonly string[]): void {
    const owned = slots.filter((slot) => this.inFlight.delete(slot));
    if (owned.length > 0) this.track(this.settle('release', owned)).catch(() => undefined);
  }

  /** Pauses every process of this budget for `ms` (a longer pause already set stays). */
  async pause(ms: number): Promise<void> {
    const duration = Math.max(1, Math.ceil(ms));
    await this.track(this.command((redis) => redis.ferryWindowsPause(1, this.keys[0] ?? '', duration)));
  }

  /** Stops renewing and waits (bounded) for the updates already sent. */
  async close(): Promise<void> {
    if (this.renewTimer !== undefined) clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    await Promise.allSettled(this.pending);
  }

  private armRenewal(): void {
    if (this.renewTimer !== undefined) return;
    this.renewTimer = setInterval(() => {
      if (this.inFlight.size === 0) {
        clearInterval(this.renewTimer);
        this.renewTimer = undefined;
        return;
      }
      this.track(this.settle('renew', [...this.inFlight])).catch(() => undefined);
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    // Calls in flight keep the process alive on their own.
    this.renewTimer.unref();
  }

  private settle(action: 'finish' | 'renew' | 'release', slots: readonly string[]): Promise<unknown> {
    return this.command((redis) =>
      redis.ferryWindowsSettle(this.keys.length, ...this.keys, action, this.leaseMs, ...this.windowArgs, ...slots),
    );
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    const forget = (): void => void this.pending.delete(work);
    work.then(forget, forget);
    return work;
  }

  private async command<T>(run: (redis: ReturnType<typeof withWindowScripts>) => Promise<T>): Promise<T> {
    try {
      return await timeout(
        this.options.redis.get().then((redis) => run(withWindowScripts(redis))),
        this.commandTimeoutMs,
      );
    } catch (error) {
      throw unavailable(this.options.budgetKey, error);
    }
  }
}
