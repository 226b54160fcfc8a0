import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Pool } from 'pg';
import { connectRedis, openStore, type CheckpointRow, type OpenedStore, type RunRow } from '@ferry/core';
import { ferry, waitFor, type FerryProcess } from './ferry-cli.js';
import { startGhlSandboxProcess, type GhlSandboxProcess } from './ghl-sandbox-process.js';
import { killAll, REDIS_URL, removeQueueKeys, startWorker, uniquePrefix } from './queue-harness.js';
import { createTempProject, type TempProject } from './temp-project.js';

/** The local PostgreSQL the scale-out tests use; each world keeps to schemas of its own and drops them. */
const PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const PIPELINE = 'location-contacts';

export interface ScaleOutOptions {
  readonly locations: number;
  readonly contactsPerLocation: number;
  /** Contacts per search page: small pages make a location need several windows' worth of calls. */
  readonly searchPageLimit: number;
  readonly timeScale: number;
  readonly seed: number;
}

export interface WarehouseRow {
  readonly id: string;
  readonly location_id: string;
}

/**
 * Location ids of one world: the shared rate budgets in Redis are named after (connector, location) and time
 * scale, so ids nobody else uses keep the world's budgets its own.
 */
function uniqueLocations(count: number): string[] {
  const tag = randomBytes(4).toString('hex');
  return Array.from({ length: count }, (_, i) => `sbx${tag}Loc${String(i + 1).padStart(3, '0')}`);
}

/** A port nothing listens on now, for a process that is told its port (so others can be configured before it starts). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port was assigned');
  return address.port;
}

function projectFiles(world: { readonly sandboxUrl: string; readonly storeUrl: string; readonly warehouseSchema: string; readonly locations: readonly string[] }, searchPageLimit: number): Record<string, string> {
  const partitions = world.locations.map((id) => `      - { id: ${id}, config: { locationId: ${id} }, auth: { token: pit-sandbox-${id} } }`).join('\n');
  return {
    'ferry.yaml': `store: ${world.storeUrl}
redis: ${REDIS_URL}
connections:
  crm:
    connector: ghl
    config: { baseUrl: "${world.sandboxUrl}", searchPageLimit: ${searchPageLimit} }
    partitions:
${partitions}
  warehouse:
    connector: postgres
    config: { url: "${PG_URL}", schema: ${world.warehouseSchema} }
pipelines: [pipelines/*.yaml]
`,
    'pipelines/contacts.yaml': `name: ${PIPELINE}
from: { connection: crm, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map:
  id: id
  location_id: locationId
  email: email
`,
  };
}

/**
 * Scale-out set-up of real processes: one `ferry sandbox ghl` with many locations, a project whose store is a
 * PostgreSQL schema and whose rate windows and queue live in the local Redis, a partitioned GHL connection (one
 * partition per location, each with its own token) and a pipeline of each location's contacts into a PostgreSQL
 * warehouse schema. `cleanUp` removes every process, schema, Redis key and file it made.
 */
export class ScaleOutWorld {
  readonly prefix = uniquePrefix();
  readonly processes: FerryProcess[] = [];
  readonly storeSchema: string;
  readonly warehouseSchema: string;
  readonly storeUrl: string;
  readonly #pg = new Pool({ connectionString: PG_URL, max: 1 });
  readonly locations: readonly string[];
  readonly project: TempProject = createTempProject();
  /** Started with the world; workers may start before it answers (they call it only once runs are queued). */
  readonly #sandbox: Promise<GhlSandboxProcess>;
  #store: OpenedStore | undefined;

  private constructor(
    readonly options: ScaleOutOptions,
    port: number,
  ) {
    const schema = `ferry_scale_${process.pid}_${randomBytes(3).toString('hex')}`;
    this.storeSchema = `${schema}_store`;
    this.warehouseSchema = `${schema}_warehouse`;
    this.storeUrl = `${PG_URL}?schema=${this.storeSchema}`;
    this.locations = uniqueLocations(options.locations);
    const files = projectFiles({ sandboxUrl: `http://127.0.0.1:${port}`, storeUrl: this.storeUrl, warehouseSchema: this.warehouseSchema, locations: this.locations }, options.searchPageLimit);
    for (const [file, text] of Object.entries(files)) this.project.write(file, text);
    this.#sandbox = startGhlSandboxProcess(this.project.dir, { port, locations: this.locations, size: options.contactsPerLocation, timeScale: options.timeScale, seed: options.seed }, (spawned) => this.processes.push(spawned));
    // Awaited later (enqueue, sandbox, cleanUp); until then a failed start must not count as unhandled.
    this.#sandbox.catch(() => undefined);
  }

  /** Writes the project and starts the sandbox (`sandbox()` waits for it). */
  static async start(options: ScaleOutOptions): Promise<ScaleOutWorld> {
    return new ScaleOutWorld(options, await freePort());
  }

  sandbox(): Promise<GhlSandboxProcess> {
    return this.#sandbox;
  }

  /** `ferry worker`s on the world's queue, each logging JSON to worker-<n>.log; resolves once all are ready. */
  async startWorkers(count: number, extra: readonly string[]): Promise<FerryProcess[]> {
    const started = Array.from({ length: count }, (_, i) => startWorker(this.project.dir, this.prefix, this.logFile(i + 1), ['--time-scale', String(this.options.timeScale), ...extra]));
    this.processes.push(...started.map((worker) => worker.process));
    await Promise.all(started.map((worker) => worker.ready));
    return started.map((worker) => worker.process);
  }

  logFile(worker: number): string {
    return this.project.path(`worker-${worker}.log`);
  }

  /** `ferry run <pipeline> --queue` once the sandbox answers: every partition's run on the queue, as a user asks for it. */
  async enqueue(): Promise<{ readonly enqueued: readonly { readonly pipeline: string; readonly partition: string }[] }> {
    await this.#sandbox;
    const out = await ferry(['--json', 'run', PIPELINE, '--queue', '--queue-prefix', this.prefix], { cwd: this.project.dir, timeoutMs: 120_000 });
    if (out.code !== 0) throw new Error(`ferry run --queue exited with ${out.code}: ${out.stderr}`);
    return JSON.parse(out.stdout) as { enqueued: { pipeline: string; partition: string }[] };
  }

  /** The store the workers write, opened by this process to look at it. */
  #observer(): OpenedStore {
    this.#store ??= openStore(this.storeUrl, this.project.dir);
    return this.#store;
  }

  /** The pipeline's runs, oldest first. */
  runs(): RunRow[] {
    return this.#observer().listRuns({ pipeline: PIPELINE, limit: 10_000 }).reverse();
  }

  checkpoints(): CheckpointRow[] {
    return this.#observer().listCheckpoints(PIPELINE);
  }

  /** Waits until every location has a succeeded run. */
  async allSucceeded(timeoutMs: number): Promise<RunRow[]> {
    return waitFor(
      () => {
        const runs = this.runs();
        const done = new Set(runs.filter((run) => run.status === 'succeeded').map((run) => run.partition));
        return this.locations.every((id) => done.has(id)) ? runs : undefined;
      },
      `a succeeded run of each of the ${this.locations.length} locations`,
      timeoutMs,
      250,
    );
  }

  async warehouseRows(): Promise<WarehouseRow[]> {
    return (await this.#pg.query<WarehouseRow>(`SELECT id, location_id FROM "${this.warehouseSchema}".contacts ORDER BY id`)).rows;
  }

  async cleanUp(): Promise<void> {
    await this.#sandbox.catch(() => undefined);
    await killAll(this.processes.splice(0));
    this.#store?.close();
    this.#store = undefined;
    try {
      await this.#pg.query(`DROP SCHEMA IF EXISTS "${this.storeSchema}" CASCADE`);
      await this.#pg.query(`DROP SCHEMA IF EXISTS "${this.warehouseSchema}" CASCADE`);
    } finally {
      await this.#pg.end();
    }
    await removeQueueKeys(this.prefix);
    await removeRateBudgets(this.locations);
    this.project.remove();
  }
}

/** Deletes the shared rate budgets (`ferry:rate:{ghl/<location>@x<scale>}…`) of the given locations. */
async function removeRateBudgets(locations: readonly string[]): Promise<void> {
  const redis = await connectRedis(REDIS_URL, { purpose: 'test clean-up' });
  try {
    for (const location of locations) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `ferry:rate:{ghl/${location}@*`, 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}
