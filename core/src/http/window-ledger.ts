/**
 * The client's record of one rate window, kept as a sliding log: a call holds a slot from the moment it is
 * admitted until `perMs` after its response came back. Counting from the response (not from the send) makes
 * the guarantee independent of network latency: the server counted the call at some point before we saw the
 * answer, so no `perMs`-long span of server arrival times ever holds more than `max` of our calls — whether
 * the server uses fixed (any alignment) or sliding windows.
 */
export class WindowLedger {
  /** Admitted calls whose response has not come back. */
  private inFlight = 0;
  /** Release times of finished calls, ascending (finish times only grow). */
  private readonly releases: number[] = [];
  private head = 0;
  /** Slots taken by calls we did not make (another app), learned from rate headers; ascending release times. */
  private readonly foreign: { until: number; count: number }[] = [];
  private foreignCount = 0;

  constructor(
    readonly max: number,
    /** Window length, after time scaling. */
    readonly perMs: number,
    /** Extra hold per call, for timer and clock jitter. */
    readonly marginMs: number,
  ) {}

  get held(): number {
    return this.inFlight + (this.releases.length - this.head) + this.foreignCount;
  }

  /** Slots our own calls hold (in flight or cooling down), without other apps' share. */
  get ownHeld(): number {
    return this.inFlight + (this.releases.length - this.head);
  }

  get available(): number {
    return this.max - this.held;
  }

  admit(): void {
    this.inFlight += 1;
  }

  /** A call ended at `at`; one that was never sent gives its slot back at once. */
  finish(at: number, sent: boolean): void {
    this.inFlight -= 1;
    if (sent && this.perMs > 0) this.releases.push(at + this.perMs + this.marginMs);
  }

  /** Takes `count` slots until `until`: the server says fewer calls are left than we think. */
  takeForeign(count: number, until: number): void {
    if (count <= 0) return;
    let index = this.foreign.length;
    while (index > 0 && (this.foreign[index - 1]?.until ?? 0) > until) index -= 1;
    this.foreign.splice(index, 0, { until, count });
    this.foreignCount += count;
  }

  /** Frees every slot whose time has come. */
  expire(now: number): void {
    while (this.head < this.releases.length && (this.releases[this.head] ?? 0) <= now) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.releases.length) {
      this.releases.splice(0, this.head);
      this.head = 0;
    }
    while (this.foreign.length > 0 && (this.foreign[0]?.until ?? 0) <= now) {
      this.foreignCount -= this.foreign.shift()?.count ?? 0;
    }
  }

  /** When the next slot frees, or undefined when nothing is waiting to be freed. */
  nextRelease(): number | undefined {
    const own = this.releases[this.head];
    const other = this.foreign[0]?.until;
    if (own === undefined) return other;
    if (other === undefined) return own;
    return Math.min(own, other);
  }

  /**
   * When a call could be admitted again, as far as known now: the time enough timed slots free up to bring
   * the window below its max. Undefined when it already has room or only in-flight calls can free it.
   */
  freeAt(): number | undefined {
    let needed = this.held - this.max + 1;
    if (needed <= 0) return undefined;
    let own = this.head;
    let other = 0;
    let otherUsed = 0;
    for (;;) {
      const ownAt = this.releases[own];
      const slot = this.foreign[other];
      if (ownAt === undefined && slot === undefined) return undefined;
      if (slot === undefined || (ownAt !== undefined && ownAt <= slot.until)) {
        own += 1;
        needed -= 1;
        if (needed <= 0) return ownAt;
      } else {
        const take = Math.min(needed, slot.count - otherUsed);
        needed -= take;
        otherUsed += take;
        if (needed <= 0) return slot.until;
        other += 1;
        otherUsed = 0;
      }
    }
  }
}
