/** Priorities run from 0 (first) to 9 (last), as in Bottleneck; out-of-range values are clamped. */
export const PRIORITY_LEVELS = 10;
export const DEFAULT_PRIORITY = 5;

/**
 * Calls waiting for room in the rate windows: first by priority, then first come first served. Removal of an
 * aborted call is by identity. Each level is an array read from a moving head, so taking the next call is O(1).
 */
export class AdmissionQueue<T> {
  private readonly levels: { items: (T | undefined)[]; head: number }[] = Array.from({ length: PRIORITY_LEVELS }, () => ({ items: [], head: 0 }));
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T, priority: number = DEFAULT_PRIORITY): void {
    const level = Math.min(PRIORITY_LEVELS - 1, Math.max(0, Math.floor(Number.isFinite(priority) ? priority : DEFAULT_PRIORITY)));
    this.levels[level]?.items.push(item);
    this.count += 1;
  }

  /** The next call to admit, or undefined when none waits. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    for (const level of this.levels) {
      while (level.head < level.items.length) {
        const item = level.items[level.head];
        level.items[level.head] = undefined;
        level.head += 1;
        if (item !== undefined) {
          this.count -= 1;
          this.compact(level);
          return item;
        }
      }
      this.compact(level);
    }
    return undefined;
  }

  /** Takes a waiting call out (its caller gave up); false when it was not waiting. */
  remove(item: T): boolean {
    for (const level of this.levels) {
      const index = level.items.indexOf(item, level.head);
      if (index >= 0) {
        level.items[index] = undefined;
        this.count -= 1;
        // Only holes left: forget them.
        if (this.count === 0) for (const each of this.levels) each.items.length = each.head = 0;
        return true;
      }
    }
    return false;
  }

  /** Empties the queue and hands back what waited, in admission order. */
  drain(): T[] {
    const all: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) all.push(item);
    return all;
  }

  private compact(level: { items: (T | undefined)[]; head: number }): void {
    if (level.head === level.items.length) {
      level.items.length = 0;
      level.head = 0;
    } else if (level.head > 1024 && level.head * 2 > level.items.length) {
      level.items.splice(0, level.head);
      level.head = 0;
    }
  }
}
