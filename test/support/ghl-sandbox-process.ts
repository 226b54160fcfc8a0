import { spawnFerry, type FerryProcess } from './ferry-cli.js';
import { readyLine } from './queue-harness.js';

export interface GhlSandboxProcessOptions {
  /** 0 picks a free one. */
  readonly port: number;
  readonly locations: readonly string[];
  /** Contacts seeded per location. */
  readonly size: number;
  readonly timeScale: number;
  readonly seed: number;
}

/** One location's rate figures, as the sandbox measured them. */
export interface SandboxLocationStats {
  readonly admitted: number;
  readonly rateLimited: number;
  /** Requests the burst window allows (100 for GHL). */
  readonly windowMax: number;
  /** The window's length after time scaling. */
  readonly windowMs: number | null;
  /** The most requests the sandbox admitted in any rolling window of `windowMs`. */
  readonly rollingPeak: number;
}

export interface SandboxStats {
  readonly requests: number;
  readonly rateLimited: number;
  readonly locations: Readonly<Record<string, SandboxLocationStats>>;
}

export interface GhlSandboxProcess {
  readonly process: FerryProcess;
  readonly url: string;
  stats(): Promise<SandboxStats>;
  /** The ids of every contact the sandbox holds, by location. */
  contactIds(): Promise<Map<string, string[]>>;
}

/** `ferry sandbox ghl` in a process of its own, with the given locations, until it is stopped; `onSpawn` gets the process at once. */
export async function startGhlSandboxProcess(
  cwd: string,
  options: GhlSandboxProcessOptions,
  onSpawn: (process: FerryProcess) => void = () => undefined,
): Promise<GhlSandboxProcess> {
  const process = spawnFerry(
    [
      '--json',
      'sandbox',
      'ghl',
      '--port',
      String(options.port),
      '--seed',
      String(options.seed),
      '--size',
      String(options.size),
      '--time-scale',
      String(options.timeScale),
      '--extra',
      `locations:=${JSON.stringify(options.locations)}`,
    ],
    { cwd, timeoutMs: 600_000 },
  );
  onSpawn(process);
  const { url } = await readyLine<{ readonly url: string }>(process, 'ferry sandbox ghl to start', 120_000);
  const getJson = async (path: string): Promise<unknown> => {
    const response = await fetch(`${url}${path}`);
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    return response.json();
  };
  return {
    process,
    url,
    stats: async () => (await getJson('/__sandbox/stats')) as SandboxStats,
    contactIds: async () => {
      const state = (await getJson('/__sandbox/state')) as { locations: { id: string; contacts: { id: string }[] }[] };
      return new Map(state.locations.map((location) => [location.id, location.contacts.map((contact) => contact.id)]));
    },
  };
}
