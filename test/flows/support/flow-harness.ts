import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore, type RunRow } from '@ferry/core';
import { REPO_ROOT, ferry, spawnFerry, waitFor, type FerryOutput, type FerryProcess } from '../../support/ferry-cli.js';
import { createTempProject, type TempProject } from '../../support/temp-project.js';

/** Rate windows of the sandboxes and of ferry's own limiters run this many times faster. */
export const TIME_SCALE = 60;
export const GHL_LOCATION = 'sbxLocation000000001';
export const GHL_TOKEN = `pit-sandbox-${GHL_LOCATION}`;
export const SALESMSG_TOKEN = 'sbx-pat-full-access';
export const SALESMSG_SECRET = 'whk-flows-0123456789abcdef';

type Json = Record<string, unknown>;

/** A connector's sandbox served by the real `ferry sandbox` command. */
export interface SandboxProcess {
  readonly url: string;
  state(): Promise<Json>;
  stats(): Promise<Json>;
  stop(): Promise<FerryOutput>;
}

export async function startSandbox(connector: 'ghl' | 'salesmsg', options: { seed: number; size: number }, cwd: string): Promise<SandboxProcess> {
  const running = spawnFerry(
    ['sandbox', connector, '--json', '--port', '0', '--seed', String(options.seed), '--size', String(options.size), '--time-scale', String(TIME_SCALE)],
    { cwd, timeoutMs: 600_000 },
  );
  const line = await waitFor(() => {
    if (running.child.exitCode !== null) throw new Error(`ferry sandbox ${connector} exited: ${running.stderr()}`);
    return running.stdout().split('\n').find((l) => l.startsWith('{'));
  }, `the ${connector} sandbox URL`);
  const { url } = JSON.parse(line) as { url: string };
  const get = async (path: string): Promise<Json> => (await (await fetch(`${url}${path}`)).json()) as Json;
  return {
    url,
    state: () => get('/__sandbox/state'),
    stats: () => get('/__sandbox/stats'),
    async stop() {
      if (running.child.exitCode === null) running.child.kill('SIGTERM');
      return running.exited;
    },
  };
}

/** Requests that change something at GHL: every POST/PUT/DELETE except the searches (reads sent as POST). */
export function ghlWrites(stats: Json): number {
  const byRoute = (stats['byRoute'] ?? {}) as Record<string, number>;
  return Object.entries(byRoute)
    .filter(([route]) => /^(POST|PUT|DELETE) /.test(route) && !route.includes('/search'))
    .reduce((sum, [, count]) => sum + count, 0);
}

export function ghlRouteCount(stats: Json, route: string): number {
  return ((stats['byRoute'] ?? {}) as Record<string, number>)[route] ?? 0;
}

export interface GhlContactState extends Json {
  readonly id: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly tags?: string[];
  readonly source?: string;
}
export interface GhlTaskState extends Json {
  readonly id: string;
  readonly contactId: string;
  readonly title?: string;
  readonly completed?: boolean;
}
export interface GhlLocationState {
  readonly contacts: GhlContactState[];
  readonly tasks: GhlTaskState[];
  readonly notes: Json[];
  readonly appointments: Json[];
}

export async function ghlLocation(sandbox: SandboxProcess): Promise<GhlLocationState> {
  const state = await sandbox.state();
  const locations = state['locations'] as (GhlLocationState & { id: string })[];
  const location = locations.find((l) => l.id === GHL_LOCATION);
  if (location === undefined) throw new Error('the GHL sandbox has no location');
  return location;
}

/** Calls the GHL sandbox's API as an app would (Private Integration Token, Version header). */
export async function ghlApi(sandbox: SandboxProcess, method: string, path: string, body?: Json): Promise<Json> {
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${GHL_TOKEN}`, version: '2021-07-28', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Json;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

export interface SalesmsgContactState extends Json {
  readonly id: number;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly full_name: string | null;
  readonly email: string | null;
  readonly number: string | null;
  readonly opt_out: boolean | null;
  readonly is_blocked: boolean | null;
  readonly tags: { id: number; label: string }[];
}

export async function salesmsgContacts(sandbox: SandboxProcess): Promise<SalesmsgContactState[]> {
  return (await sandbox.state())['contacts'] as SalesmsgContactState[];
}

/** Calls the Salesmsg sandbox's API (v2.3) with a full-access token. */
export async function salesmsgApi(sandbox: SandboxProcess, method: string, path: string, body?: Json): Promise<Json> {
  const response = await fetch(`${sandbox.url}/pub/v2.3${path}`, {
    method,
    headers: { authorization: `Bearer ${SALESMSG_TOKEN}`, accept: 'application/json', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as Json;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Tags a Salesmsg contact with a label (the tag is created when it does not exist yet). */
export async function salesmsgTag(sandbox: SandboxProcess, contactId: number, label: string): Promise<void> {
  const tags = (await sandbox.state())['tags'] as { id: number; label: string }[];
  let tag = tags.find((t) => t.label === label);
  if (tag === undefined) tag = (await salesmsgApi(sandbox, 'POST', `/tags?label=${encodeURIComponent(label)}`)) as unknown as { id: number; label: string };
  await salesmsgApi(sandbox, 'PUT', `/tags/contact/${contactId}/${tag.id}`);
}

/** Asks the Salesmsg sandbox to send one webhook delivery now to `ferry serve`; answers the service's status. */
export async function salesmsgEmit(sandbox: SandboxProcess, serveUrl: string, event: string, ids: { contactId?: number; messageId?: number }): Promise<number> {
  const url = `${serveUrl}/webhooks/salesmsg/${event}/${SALESMSG_SECRET}`;
  const response = await fetch(`${sandbox.url}/__sandbox/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, event, ...ids }),
  });
  const json = (await response.json()) as { status?: number };
  if (typeof json.status !== 'number') throw new Error(`the sandbox did not send ${event}: ${response.status} ${JSON.stringify(json)}`);
  return json.status;
}

/** An Ed25519 key pair standing in for GHL's webhook signing key. */
export interface GhlSigner {
  readonly publicKey: string;
  sign(body: Buffer): string;
}

export function ghlSigner(): GhlSigner {
  const keys = generateKeyPairSync('ed25519');
  const privateKey: KeyObject = keys.privateKey;
  return {
    publicKey: keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    sign: (body) => sign(null, body, privateKey).toString('base64'),
  };
}

/** POSTs a signed GHL event to `ferry serve`'s connection-wide GHL endpoint. */
export async function postGhlEvent(serveUrl: string, signer: GhlSigner, event: Json): Promise<number> {
  const body = Buffer.from(JSON.stringify({ timestamp: new Date().toISOString(), locationId: GHL_LOCATION, ...event }));
  const response = await fetch(`${serveUrl}/webhooks/ghl`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-ghl-signature': signer.sign(body) },
  });
  await response.arrayBuffer();
  return response.status;
}

export interface FlowProjectOptions {
  readonly ghl?: SandboxProcess;
  readonly salesmsg?: SandboxProcess;
  readonly signer?: GhlSigner;
  /** Pipeline files of pipelines/ to copy in. */
  readonly pipelines: readonly string[];
  /** Contacts per GHL search page (small pages give a bulk sync checkpoints to resume from). */
  readonly ghlPageSize?: number;
}

/**
 * A temp project with connections to the sandboxes and copies of the repository's pipeline files. `schedules`
 * rewrites their cron lines (a test cannot wait 15 minutes): `off` removes the schedules, a cron replaces them.
 */
export interface FlowProject extends TempProject {
  readonly storeFile: string;
  readonly warehouseFile: string;
  /**
   * Copies the pipelines in. With `cron`, the schedules of `scheduled` (default: all of them) run at it; every
   * other schedule is removed (a test cannot wait for the real ones).
   */
  usePipelines(cron?: string, scheduled?: readonly string[]): void;
  run(args: readonly string[]): Promise<FerryOutput>;
  runJson(args: readonly string[]): Promise<RunJson>;
  serve(): Promise<ServeProcess>;
  runs(pipeline?: string): RunRow[];
}

export interface RunJson {
  readonly runs: { pipeline: string; status: string; exitCode: number; summary: Record<string, number>; error: { code: string; message: string } | null }[];
}

export interface ServeProcess {
  readonly url: string;
  readonly process: FerryProcess;
  stop(): Promise<FerryOutput>;
}

export function createFlowProject(options: FlowProjectOptions): FlowProject {
  const connections: string[] = [];
  if (options.ghl !== undefined) {
    connections.push(`  ghl:
    connector: ghl
    config:
      baseUrl: "${options.ghl.url}"
      locationId: ${GHL_LOCATION}
${options.ghlPageSize === undefined ? '' : `      searchPageLimit: ${options.ghlPageSize}\n`}${options.signer === undefined ? '' : `      webhookPublicKey: "${options.signer.publicKey}"\n`}    auth: { kind: bearer, token: ${GHL_TOKEN} }`);
  }
  if (options.salesmsg !== undefined) {
    connections.push(`  salesmsg:
    connector: salesmsg
    config: { baseUrl: "${options.salesmsg.url}", webhookSecret: ${SALESMSG_SECRET} }
    auth: { kind: bearer, token: ${SALESMSG_TOKEN} }`);
  }
  connections.push('  warehouse: { connector: sqlite, config: { path: warehouse.db } }');
  const temp = createTempProject({
    'ferry.yaml': `store: state/ferry.db\nconnections:\n${connections.join('\n')}\npipelines: [pipelines/*.yaml]\nlog: { file: ferry.log, level: debug }\n`,
  });
  const scale = ['--time-scale', String(TIME_SCALE)];
  const project: FlowProject = {
    ...temp,
    storeFile: temp.path('state/ferry.db'),
    warehouseFile: temp.path('warehouse.db'),
    usePipelines(cron, scheduled) {
      for (const name of options.pipelines) {
        const text = readFileSync(join(REPO_ROOT, 'pipelines', name), 'utf8');
        const keep = cron !== undefined && (scheduled === undefined || scheduled.includes(name.replace(/\.yaml$/, '')));
        const rewritten =
          !keep ? text.replace(/^ {2}- schedule: .*\n/gm, '') : text.replace(/^( {2}- schedule: ).*$/gm, `$1"${cron}"`);
        // A pipeline left without any trigger has no `on:` at all.
        temp.write(`pipelines/${name}`, rewritten.replace(/^on:\n(?! {2}- )/m, ''));
      }
    },
    run: (args) => ferry([...args, ...scale], { cwd: temp.dir, timeoutMs: 120_000 }),
    async runJson(args) {
      const out = await ferry(['--json', ...args, ...scale], { cwd: temp.dir, timeoutMs: 120_000 });
      if (out.code !== 0) throw new Error(`ferry ${args.join(' ')} exited ${String(out.code)}\n${out.stdout}\n${out.stderr}`);
      return JSON.parse(out.stdout) as RunJson;
    },
    async serve() {
      const process = spawnFerry(['--json', 'serve', '--port', '0', ...scale], { cwd: temp.dir, timeoutMs: 300_000 });
      const line = await waitFor(() => {
        if (process.child.exitCode !== null) throw new Error(`ferry serve exited: ${process.stderr()}`);
        return process.stdout().split('\n').find((l) => l.startsWith('{'));
      }, 'ferry serve to print its URL');
      const { url } = JSON.parse(line) as { url: string };
      return {
        url,
        process,
        async stop() {
          if (process.child.exitCode === null) process.child.kill('SIGTERM');
          return process.exited;
        },
      };
    },
    runs(pipeline) {
      let store;
      try {
        store = openSqliteStore(temp.path('state/ferry.db'), { readonly: true });
      } catch {
        return [];
      }
      try {
        return store.listRuns({ limit: 1000, ...(pipeline === undefined ? {} : { pipeline }) });
      } finally {
        store.close();
      }
    },
  };
  project.usePipelines();
  return project;
}

/** Polls an async check until it gives a value (or throws after `timeoutMs`). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until `ferry serve` has no delivery left in its inbox and no pipeline running. */
export async function serviceIdle(serveUrl: string, timeoutMs = 30_000): Promise<void> {
  await eventually(
    async () => {
      const health = (await (await fetch(`${serveUrl}/healthz`)).json()) as { inboxDepth: number; runningPipelines: string[] };
      return health.inboxDepth === 0 && health.runningPipelines.length === 0 ? true : undefined;
    },
    'the service to be idle',
    timeoutMs,
  );
}

/** Values as sorted text, to compare sets of ids. */
export function sorted(values: Iterable<unknown>): string[] {
  return [...values].map((value) => String(value)).sort((a, b) => a.localeCompare(b));
}
