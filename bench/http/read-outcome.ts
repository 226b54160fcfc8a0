/** One full read of the contacts through one client. */
export interface ReadOutcome {
  readonly client: string;
  readonly records: number;
  readonly pages: number;
  readonly elapsedMs: number;
  /** CPU (user + system) of this process during the read: the client's work (the sandbox runs in another process). */
  readonly cpuMs: number;
  /** The search bodies sent, in order, as JSON text: both clients must send the same sequence. */
  readonly bodies: readonly string[];
}

export function recordsPerSecond(outcome: ReadOutcome): number {
  return outcome.records / (outcome.elapsedMs / 1000);
}

/** Runs `read` and adds its wall-clock time and the process CPU it took. */
export async function timed(read: () => Promise<Omit<ReadOutcome, 'elapsedMs' | 'cpuMs'>>): Promise<ReadOutcome> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const outcome = await read();
  const elapsedMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ...outcome, elapsedMs, cpuMs: (used.user + used.system) / 1000 };
}
