import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { connectRedis, openStore, RunQueueProducer, type Logger, type RunRow } from '@ferry/core';
import { peakRssMb, startFerry, type FerryProcess } from './ferry-process.js';
import type { TrialOutcome } from './figures.js';

export interface TrialOptions {
  readonly workers: number;
  readonly locations: number;
  /** Contacts per location. */
  readonly size: number;
  /** Contacts per search page (each page is one call). */
  readonly pageSize: number;
  /**
   * 'contacts': a plain copy. 'guarded': the pipeline also skips echoes of ferry's own writes and passes records
   * that became eligible (`skipEchoes`, `when.became`), the look-ups the engine makes for every record of a page.
   */
  readonly pipeline?: 'contacts' | 'guarded' | undefined;
  readonly timeScale: number;
  readonly seed: number;
  readonly redisUrl: string;
  /** postgres://user@host:port/database: the store and the warehouse get a schema each, dropped at the end. */
  readonly postgresUrl: string;
  /** How long the whole sync may take before the trial fails. */
  readonly timeoutMs: number;
}

const PIPELINE = 'workers-bench';
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

interface LocationStats {
  readonly admitted: number;
  readonly rateLimited: number;
  readonly windowMax: number;
  readonly windowMs: number | null;
  readonly rollingPeak: number;
}

function projectYaml(options: TrialOptions, sandboxUrl: string, storeSchema: string, warehouseSchema: string, locations: readonly string[]): string {
  const partitions = locations.map((id) => `      - { id: ${id}, config: { locationId: ${id} }, auth: { token: pit-sandbox-${id} } }`).join('\n');
  return `store: ${options.postgresUrl}?schema=${storeSchema}
redis: ${options.redisUrl}
connections:
  crm:
    connector: ghl
    config: { baseUrl: "${sandboxUrl}", searchPageLimit: ${options.pageSize} }
    partitions:
${partitions}
  warehouse:
    connector: postgres
    config: { url: "${options.postgresUrl}", schema: ${warehouseSchema} }
pipelines: [pipelines/*.yaml]
`;
}

const GUARDS_YAML = `skipEchoes: true
when: { became: "$exists(id)" }
`;

const pipelineYaml = (options: TrialOptions): string => `name: ${PIPELINE}
from: { connection: crm, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
${options.pipeline === 'guarded' ? GUARDS_YAML : ''}map:
  id: id
  location_id: locationId
  email: email
  first_name: firstName
  last_name: lastName
`;

async function waitUntil<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function deleteKeys(redisUrl: string, patterns: readonly string[]): Promise<void> {
  const redis = await connectRedis(redisUrl, { purpose: 'benchmark clean-up' });
  try {
    for (const pattern of patterns) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}

/**
 * One sync of every location by `workers` worker processes, each processing one unit at a time: a fresh
 * `ferry sandbox ghl` (locations nobody used, so every rate budget starts full), a project with a PostgreSQL
 * store and warehouse (schemas of its own) and rate windows in Redis, the workers started and ready, then every
 * location's run put on the queue. The clock is the store's: from the first run's start to the last run's end.
 * Everything the trial made is removed before it returns.
 */
export async function runTrial(options: TrialOptions): Promise<TrialOutcome> {
  const tag = randomBytes(4).toString('hex');
  const locations = Array.from({ length: options.locations }, (_, i) => `bench${tag}Loc${String(i + 1).padStart(3, '0')}`);
  const prefix = `ferry-bench-${tag}`;
  const storeSchema = `ferry_bench_${tag}_store`;
  const warehouseSchema = `ferry_bench_${tag}_warehouse`;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-workers-'));
  const processes: FerryProcess[] = [];
  const pg = new Pool({ connectionString: options.postgresUrl, max: 1 });
  try {
    const sandbox = startFerry(
      ['--json', 'sandbox', 'ghl', '--port', '0', '--seed', String(options.seed), '--size', String(options.size), '--time-scale', String(options.timeScale), '--extra', `locations:=${JSON.stringify(locations)}`],
      dir,
    );
    processes.push(sandbox);
    const { url } = await sandbox.ready<{ url: string }>('ferry sandbox ghl', 120_000);
    mkdirSync(join(dir, 'pipelines'));
    writeFileSync(join(dir, 'ferry.yaml'), projectYaml(options, url, storeSchema, warehouseSchema, locations));
    writeFileSync(join(dir, 'pipelines', 'contacts.yaml'), pipelineYaml(options));

    const workers = Array.from({ length: options.workers }, (_, i) =>
      startFerry(
        ['--json', '--log-file', join(dir, `worker-${i + 1}.log`), 'worker', '--queue-prefix', prefix, '--concurrency', '1', '--time-scale', String(options.timeScale)],
        dir,
      ),
    );
    processes.push(...workers);
    await Promise.all(workers.map((worker, i) => worker.ready(`ferry worker ${i + 1}`, 120_000)));

    const producer = await RunQueueProducer.connect({ url: options.redisUrl, prefix, log: quiet });
    try {
      for (const id of locations) await producer.requestRun({ pipeline: PIPELINE, partition: id }, 'request');
    } finally {
      await producer.close();
    }

    const store = openStore(`${options.postgresUrl}?schema=${storeSchema}`, dir);
    let runs: RunRow[];
    try {
      runs = await waitUntil(
        () => {
          const all = store.listRuns({ pipeline: PIPELINE, limit: 10_000 });
          const failed = all.find((run) => run.status !== 'running' && run.status !== 'succeeded');
          if (failed !== undefined) throw new Error(`run ${failed.id} (${failed.partition}) ended ${failed.status}: ${failed.error ?? ''}`);
          return all.filter((run) => run.status === 'succeeded').length === locations.length ? all : undefined;
        },
        'every location to be synced',
        options.timeoutMs,
      );
    } finally {
      store.close();
    }
    // Read before the workers stop: the high-water mark of each process' resident memory over the whole sync.
    const rss = workers.map((worker) => peakRssMb(worker.pid) ?? Number.NaN);
    const codes = await Promise.all(workers.map((worker) => worker.stop()));
    if (codes.some((code) => code !== 0)) throw new Error(`a worker exited with ${codes.join(', ')}: ${workers.map((w) => w.stderr()).join('\n')}`);

    const stats = (await (await fetch(`${url}/__sandbox/stats`)).json()) as { locations: Record<string, LocationStats> };
    const perLocation = locations.map((id) => stats.locations[id]);
    const rows = await pg.query<{ count: string }>(`SELECT count(*) FROM "${warehouseSchema}".contacts`);
    const start = Math.min(...runs.map((run) => Date.parse(run.startedAt)));
    const end = Math.max(...runs.map((run) => Date.parse(run.finishedAt ?? run.startedAt)));
    return {
      workers: options.workers,
      locations: options.locations,
      contacts: runs.reduce((sum, run) => sum + (run.summary?.read ?? 0), 0),
      warehouseRows: Number(rows.rows[0]?.count ?? 0),
      calls: perLocation.reduce((sum, location) => sum + (location?.admitted ?? 0), 0),
      elapsedMs: end - start,
      meanRunMs: runs.reduce((sum, run) => sum + (Date.parse(run.finishedAt ?? run.startedAt) - Date.parse(run.startedAt)), 0) / runs.length,
      peakRssMb: rss,
      busiestWindow: Math.max(...perLocation.map((location) => location?.rollingPeak ?? 0)),
      windowMax: Math.max(...perLocation.map((location) => location?.windowMax ?? 0)),
      windowMs: perLocation[0]?.windowMs ?? Number.NaN,
      rateLimited: perLocation.reduce((sum, location) => sum + (location?.rateLimited ?? 0), 0),
      loadAverage: loadavg()[0] ?? 0,
    };
  } finally {
    for (const started of processes) await started.stop();
    await pg.query(`DROP SCHEMA IF EXISTS "${storeSchema}" CASCADE`).catch(() => undefined);
    await pg.query(`DROP SCHEMA IF EXISTS "${warehouseSchema}" CASCADE`).catch(() => undefined);
    await pg.end();
    await deleteKeys(options.redisUrl, [`${prefix}:*`, `ferry:rate:{ghl/bench${tag}Loc*`]);
    rmSync(dir, { recursive: true, force: true });
  }
}
