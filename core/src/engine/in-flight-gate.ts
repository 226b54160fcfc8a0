/**
 * Back-pressure between the source and the stages below it: counts records read but not yet settled, and lets
 * the source pull its next page only while that count is under the high-water mark. Memory therefore stays
 * bounded by `highWaterMark + one page` however large the stream is.
 */
export class InFlightGate {
  readonly highWaterMark: number;
  #inFlight = 0;
  #peak = 0;
  #waiter: (() => void) | undefined;

  constructor(highWaterMark: number) {
    this.highWaterMark = Math.max(1, highWaterMark);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Most records ever in flight at once. */
  get peak(): number {
    return this.#peak;
  }

  /** Records entered the stages. */
  enter(count: number): void {
    this.#inFlight += count;
    if (this.#inFlight > this.#peak) this.#peak = this.#inFlight;
  }

  /** Records settled (acknowledged, or dropped by a stop). */
  leave(count: number): void {
    this.#inFlight -= count;
    if (this.#waiter !== undefined && this.#inFlight < this.highWaterMark) this.wake();
  }

  /** Undefined when there is room now (no promise on the fast path); otherwise resolves once there is. */
  room(): Promise<void> | undefined {
    if (this.#inFlight < this.highWaterMark) return undefined;
    return new Promise<void>((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Releases a waiting source so that it can notice a stop. */
  wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}
