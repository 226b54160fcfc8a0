/** A full read of the contacts, one search page per step, so that two clients can take turns page by page. */
export interface PageReader {
  readonly client: string;
  /** Reads the next page: its record count, or undefined when the read is over. */
  next(): Promise<number | undefined>;
  /** The search bodies sent so far, in order, as JSON text: both clients must send the same sequence. */
  bodies(): readonly string[];
  close(): Promise<void>;
}

/** What one reader did over a read: its steps' wall-clock time and this process's CPU during them. */
export interface ReadTotals {
  readonly client: string;
  readonly records: number;
  readonly pages: number;
  readonly elapsedMs: number;
  /** CPU (user + system) of this process during the steps: the client's work (the sandbox runs in another process). */
  readonly cpuMs: number;
}

export function recordsPerSecond(totals: ReadTotals): number {
  return totals.records / (totals.elapsedMs / 1000);
}

/**
 * Reads with both readers taking turns page by page (which goes first alternates), timing each step. A busy
 * moment of the machine then falls on both clients alike instead of on whichever read was running.
 */
export async function readInTurns(readers: readonly [PageReader, PageReader], maxPages = Number.POSITIVE_INFINITY): Promise<[ReadTotals, ReadTotals]> {
  const totals = readers.map((r) => ({ client: r.client, records: 0, pages: 0, elapsedMs: 0, cpuMs: 0, done: false }));
  for (let page = 0; page < maxPages && totals.some((t) => !t.done); page += 1) {
    const order = page % 2 === 0 ? [0, 1] : [1, 0];
    for (const index of order) {
      const reader = readers[index];
      const total = totals[index];
      if (reader === undefined || total === undefined || total.done) continue;
      const cpu = process.cpuUsage();
      const started = performance.now();
      const records = await reader.next();
      total.elapsedMs += performance.now() - started;
      const used = process.cpuUsage(cpu);
      total.cpuMs += (used.user + used.system) / 1000;
      if (records === undefined) total.done = true;
      else {
        total.records += records;
        total.pages += 1;
      }
    }
  }
  const [first, second] = totals.map(({ done: _done, ...rest }) => rest);
  if (first === undefined || second === undefined) throw new Error('two readers expected');
  return [first, second];
}
