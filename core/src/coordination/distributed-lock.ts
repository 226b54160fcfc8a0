import type * as RedlockLibrary from '@sesamecare-oss/redlock';
import type { ExecutionError, Redlock } from '@sesamecare-oss/redlock';
import type { Redis } from 'ioredis';
import { FerryError } from '../errors/ferry-error.js';
import { onFirstUse } from '../util/load-on-first-use.js';

/** redlock loads with the first lock: commands that take none never load it. */
const redlock = onFirstUse<typeof RedlockLibrary>('@sesamecare-oss/redlock');

export interface DistributedLockOptions {
  /** A connection of its own (`connectRedis`): lock commands must never wait behind a blocking read. */
  readonly redis: Redis;
  /** Namespace of the keys (`<prefix>:lock:<resource>`), so that projects sharing one Redis never contend. */
  readonly prefix: string;
  /**
   * How long a lock outlives a holder that stopped extending it (a killed process). The holder extends it every
   * half of this, so a short TTL frees a dead holder's lock quickly without a live one losing it. Default 10 s.
   */
  readonly ttlMs?: number;
}

export interface LockWaitOptions {
  /** How long to keep trying while another holder has the lock (default 0: one try). */
  readonly waitMs?: number;
}

/** Work done under a lock. `signal` aborts, with a LOCK_LOST FerryError as its reason, if the lock could not be kept. */
export type LockedWork<T> = (signal: AbortSignal) => Promise<T>;

export type LockAttempt<T> = { readonly acquired: true; readonly value: T } | { readonly acquired: false };

export const DEFAULT_LOCK_TTL_MS = 10_000;
/** Smallest TTL: the holder extends at half of it and needs a little time to do so. */
const MIN_LOCK_TTL_MS = 500;
const RETRY_DELAY_MS = 100;

/** Whether every vote against the lock said "held by someone else" (rather than "Redis did not answer"). */
async function heldElsewhere(error: ExecutionError): Promise<boolean> {
  const last = error.attempts.at(-1);
  if (last === undefined) return false;
  const stats = await last;
  const reasons = [...stats.votesAgainst.values()];
  return reasons.length > 0 && reasons.every((reason) => reason instanceof redlock().ResourceLockedError);
}

/**
 * A lock shared by every process that reaches the same Redis (redlock over one server): work runs while the lock
 * is held, the lock is extended automatically while the work lives, and released when it ends. A holder that
 * dies stops extending, so its lock frees itself after `ttlMs`.
 */
export class DistributedLock {
  readonly ttlMs: number;
  readonly #redlock: Redlock;
  readonly #prefix: string;

  constructor(options: DistributedLockOptions) {
    this.ttlMs = Math.max(MIN_LOCK_TTL_MS, Math.round(options.ttlMs ?? DEFAULT_LOCK_TTL_MS));
    this.#prefix = options.prefix;
    this.#redlock = new (redlock().Redlock)([options.redis], {
      retryCount: 0,
      retryDelay: RETRY_DELAY_MS,
      retryJitter: RETRY_DELAY_MS / 2,
      automaticExtensionThreshold: Math.floor(this.ttlMs / 2),
    });
    // Redlock reports every refused attempt as an 'error' event; the outcome reaches the caller instead.
    this.#redlock.on('error', () => undefined);
  }

  /** The Redis key of a resource's lock. */
  keyOf(resource: string): string {
    return `${this.#prefix}:lock:${resource}`;
  }

  /** Runs `work` holding the lock of `resource`, waiting up to `waitMs` for it; LOCK_BUSY if it is still held then. */
  async run<T>(resource: string, work: LockedWork<T>, options: LockWaitOptions = {}): Promise<T> {
    const attempt = await this.tryRun(resource, work, options);
    if (attempt.acquired) return attempt.value;
    throw new FerryError('LOCK_BUSY', `another process still holds the lock '${resource}'`, {
      hint: 'it is released when that process finishes, or frees itself shortly after that process dies; try again then',
      details: { resource, waitedMs: options.waitMs ?? 0 },
    });
  }

  /** Runs `work` if the lock of `resource` can be had (within `waitMs`); `{ acquired: false }` when another holder keeps it. */
  async tryRun<T>(resource: string, work: LockedWork<T>, options: LockWaitOptions = {}): Promise<LockAttempt<T>> {
    const retryCount = Math.max(0, Math.ceil((options.waitMs ?? 0) / RETRY_DELAY_MS));
    // Filled in by the work under the lock (a holder object: narrowing does not follow assignments in callbacks).
    const outcome: { settled?: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown } } = {};
    try {
      await this.#redlock.using([this.keyOf(resource)], this.ttlMs, { retryCount }, async (redlockSignal) => {
        const lost = new AbortController();
        const onLost = (): void => lost.abort(lockLost(resource, redlockSignal.error));
        if (redlockSignal.aborted) onLost();
        else redlockSignal.addEventListener('abort', onLost, { once: true });
        try {
          outcome.settled = { ok: true, value: await work(lost.signal) };
        } catch (error) {
          outcome.settled = { ok: false, error };
        } finally {
          redlockSignal.removeEventListener('abort', onLost);
        }
      });
    } catch (error) {
      // Once the work has run, only the release can fail: harmless, the lock expires on its own after its TTL.
      if (outcome.settled === undefined) {
        if (error instanceof redlock().ExecutionError && (await heldElsewhere(error))) return { acquired: false };
        throw new FerryError('REDIS_UNAVAILABLE', `the lock '${resource}' could not be taken: Redis did not answer`, {
          hint: 'check that Redis is running and reachable (`redis-cli -u <url> ping`)',
          details: { resource, reason: error instanceof Error ? error.message : String(error) },
        });
      }
    }
    const { settled } = outcome;
    if (settled === undefined) {
      throw new FerryError('LOCK_INTERNAL', `the lock '${resource}' was taken but the work under it never ran`, { hint: 'this is a bug in ferry; please report it' });
    }
    if (!settled.ok) throw settled.error;
    return { acquired: true, value: settled.value };
  }
}

function lockLost(resource: string, cause: Error | undefined): FerryError {
  return new FerryError('LOCK_LOST', `the lock '${resource}' could not be extended and may now be held by another process`, {
    hint: 'the work stops at its last checkpoint and is picked up again; check the connection to Redis and how busy this machine is',
    details: { resource, reason: cause?.message },
  });
}
