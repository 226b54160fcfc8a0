/** What one full sync (contacts, then each contact's tasks and notes) did, as the client and the sandbox saw it. */
export interface SyncOutcome {
  readonly client: string;
  readonly contacts: number;
  readonly tasks: number;
  readonly notes: number;
  /** Requests the sandbox let through its rate window. */
  readonly admitted: number;
  /** 429s the sandbox answered. */
  readonly rateLimited: number;
  readonly elapsedMs: number;
  /** performance.now() when each accepted call's answer arrived, in order. */
  readonly acceptedAt: readonly number[];
  /** Most requests the sandbox admitted within one of its windows, and within any rolling window. */
  readonly peakInWindow: number;
  readonly rollingPeak: number;
  /** For a throttled client: what its limiter saw (mean call time, the burst window's margin). */
  readonly limiter?: { readonly meanCallMs: number; readonly marginMs: number };
}

export interface RateWindow {
  readonly max: number;
  /** Window length after time scaling. */
  readonly perMs: number;
}

/** The window's ceiling in requests per second. */
export function ceilingPerSecond(window: RateWindow): number {
  return window.max / (window.perMs / 1000);
}

/** Accepted requests per second over the whole sync, as a share of the ceiling (a fresh budget's first burst counts). */
export function overallShare(outcome: SyncOutcome, window: RateWindow): number {
  return outcome.admitted / (outcome.elapsedMs / 1000) / ceilingPerSecond(window);
}

/**
 * Sustained rate as a share of the ceiling: at the ceiling the i-th and the (i+max)-th accepted call are one
 * window apart, so this is the window over the mean of those spans (undefined for fewer than max + 1 calls).
 */
export function sustainedShare(acceptedAt: readonly number[], window: RateWindow): number | undefined {
  const spans = acceptedAt.slice(window.max).map((at, i) => at - (acceptedAt[i] ?? at));
  if (spans.length === 0) return undefined;
  const mean = spans.reduce((sum, span) => sum + span, 0) / spans.length;
  return window.perMs / mean;
}

/**
 * The best sustained share a limiter can reach without ever risking a 429 when it only knows when its calls
 * left and when their answers came: each slot is held for the call's time, then a window and the margin.
 */
export function latencyBound(window: RateWindow, meanCallMs: number, marginMs: number): number {
  return window.perMs / (window.perMs + marginMs + meanCallMs);
}

/** Reads a location's counters from the sandbox's stats(). */
export function locationCounters(stats: unknown, locationId: string): { admitted: number; rateLimited: number; peakInWindow: number; rollingPeak: number } {
  const locations = isRecord(stats) ? stats['locations'] : undefined;
  const location = isRecord(locations) ? locations[locationId] : undefined;
  const read = (key: string): number => (isRecord(location) && typeof location[key] === 'number' ? location[key] : 0);
  return { admitted: read('admitted'), rateLimited: read('rateLimited'), peakInWindow: read('peakInWindow'), rollingPeak: read('rollingPeak') };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
