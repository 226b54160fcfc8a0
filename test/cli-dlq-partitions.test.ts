import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, serveSandbox, type ServedSandbox } from '@ferry/core';
import { ghlSandbox, sandboxTokens } from '@ferry/connector-ghl/sandbox';
import { ferry } from './support/ferry-cli.js';
import { createTempProject, type TempProject } from './support/temp-project.js';

const TIME_SCALE = 20;
/** Contacts per location. */
const SIZE = 3;
const [DOWNTOWN, UPTOWN, HARBOR] = ['sbxLocation000000011', 'sbxLocation000000012', 'sbxLocation000000013'] as const;

interface Letter {
  id: number;
  pipeline: string;
  partition: string;
  sourceId: string;
  status: string;
  error: { code: string; message: string };
}

interface RunEntry {
  pipeline: string;
  partition?: string;
  status: string;
  summary: Record<string, number>;
  error: { code: string; message: string; hint?: string } | null;
}

/** Rows in one order whatever order they came in. */
function sorted<T>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

interface SandboxState {
  locations: { id: string; contacts: { id: string; website?: string }[] }[];
}

function partitionsYaml(ids: readonly string[]): string {
  return ids.map((id) => `      - { id: ${id}, config: { locationId: ${id} }, auth: { token: ${sandboxTokens(id).full} } }`).join('\n');
}

function projectYaml(ids: readonly string[]): string {
  return `store: state/ferry.db
connections:
  crm:
    connector: ghl
    config: { baseUrl: "\${GHL_SANDBOX_URL}", searchPageLimit: 10 }
    partitions:
${partitionsYaml(ids)}
pipelines: [pipelines/*.yaml]
`;
}

/** Gives every contact of each location a website; `dateOfBirth` (when given) is a value GHL refuses with a 422. */
function pipelineYaml(dateOfBirth?: string): string {
  return `name: location-websites
from: { connection: crm, stream: contacts, sync: incremental }
to: { connection: crm, action: contacts.update }
map:
  id: id
  website: { expr: "'https://' & id & '.example'" }
${dateOfBirth === undefined ? '' : `  dateOfBirth: { const: "${dateOfBirth}" }\n`}`;
}

/**
 * A pipeline over several GHL locations (one partition each) whose destination is the same connection: every
 * location writes its own contacts with its own token. Records the destination refuses are dead-lettered with
 * their partition, and a replay writes each back through its own location; a contact written through another
 * location's token would be refused by the sandbox, as by GHL.
 */
describe('ferry dlq of a partitioned pipeline (child processes, GHL sandbox)', { timeout: 120_000 }, () => {
  let sandbox: ServedSandbox;
  let project: TempProject;
  const cli = (args: string[]) => ferry([...args, '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env: { GHL_SANDBOX_URL: sandbox.url } });
  const plain = (args: string[]) => ferry(args, { cwd: project.dir, env: { GHL_SANDBOX_URL: sandbox.url } });
  const letters = async (args: string[] = []): Promise<Letter[]> =>
    (JSON.parse((await plain(['dlq', 'list', 'location-websites', '--json', ...args])).stdout) as { deadLetters: Letter[] }).deadLetters;
  /** Location → its contacts' websites, as the sandbox holds them. */
  const websites = async (): Promise<Record<string, (string | undefined)[]>> => {
    const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as SandboxState;
    return Object.fromEntries(state.locations.map((location) => [location.id, location.contacts.map((c) => c.website)]));
  };
  const contactIds = async (location: string): Promise<string[]> => {
    const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as SandboxState;
    return (state.locations.find((l) => l.id === location)?.contacts ?? []).map((c) => c.id).sort();
  };

  beforeAll(async () => {
    sandbox = await serveSandbox(ghlSandbox, { host: '127.0.0.1', port: 0, seed: 11, size: SIZE, timeScale: TIME_SCALE, extra: { locations: [DOWNTOWN, UPTOWN, HARBOR] } });
    project = createTempProject({ 'ferry.yaml': projectYaml([DOWNTOWN, UPTOWN, HARBOR]), 'pipelines/websites.yaml': pipelineYaml('someday') });
  });
  afterAll(async () => {
    project.remove();
    await sandbox.close();
  });

  it('dead-letters what each location refuses, and lists the letters with their partition', async () => {
    const run = await cli(['--json', 'run', 'location-websites']);
    expect(run.code, run.stderr).toBe(1);
    const runs = (JSON.parse(run.stdout) as { runs: RunEntry[] }).runs;
    expect(sorted(runs.map((r) => [r.partition, r.status, r.summary['deadLettered']]))).toEqual([
      [DOWNTOWN, 'partial', SIZE],
      [UPTOWN, 'partial', SIZE],
      [HARBOR, 'partial', SIZE],
    ]);

    const all = await letters();
    expect(all).toHaveLength(3 * SIZE);
    for (const location of [DOWNTOWN, UPTOWN, HARBOR]) {
      const mine = all.filter((l) => l.partition === location);
      // Each letter is the record read in that location.
      expect(mine.map((l) => l.sourceId).sort()).toEqual(await contactIds(location));
      expect(mine.every((l) => l.status === 'open' && /dateOfBirth/.test(l.error.message))).toBe(true);
    }
    const text = await plain(['dlq', 'list', 'location-websites']);
    expect(text.stdout).toMatch(/ID\s+PIPELINE\s+PARTITION\s+SOURCE ID\s+STATUS/);
    expect(text.stdout).toMatch(new RegExp(`\\d+\\s+location-websites\\s+${UPTOWN}\\s+\\S+\\s+open`));
    const uptown = await letters(['--partition', UPTOWN]);
    expect(uptown.map((l) => l.partition)).toEqual([UPTOWN, UPTOWN, UPTOWN]);
  });

  it('replays one partition with --partition, through its own location; the others stay open', async () => {
    project.write('pipelines/websites.yaml', pipelineYaml());
    const replay = await cli(['--json', 'dlq', 'replay', 'location-websites', '--partition', DOWNTOWN]);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    const json = JSON.parse(replay.stdout) as { replayed: number; stillOpen: number; runs: RunEntry[] };
    expect(json).toMatchObject({ replayed: SIZE, stillOpen: 0 });
    expect(json.runs.map((r) => [r.partition, r.status, r.summary['updated']])).toEqual([[DOWNTOWN, 'succeeded', SIZE]]);

    const sites = await websites();
    expect(sites[DOWNTOWN]?.every((site) => site?.endsWith('.example') === true)).toBe(true);
    expect(sites[UPTOWN]?.some((site) => site?.endsWith('.example') === true)).toBe(false);
    expect((await letters()).map((l) => l.partition).sort()).toEqual([...Array<string>(SIZE).fill(UPTOWN), ...Array<string>(SIZE).fill(HARBOR)]);
  });

  it('replays every other partition in its own location, and refuses the letters of a partition that is gone', async () => {
    project.write('ferry.yaml', projectYaml([DOWNTOWN, UPTOWN]));
    // A letter from before the connection had partitions: no location can take it.
    const store = openSqliteStore(project.path('state/ferry.db'));
    try {
      const runId = store.startRun({ pipeline: 'location-websites', mode: 'incremental', trigger: 'manual' });
      const letter = { pipeline: 'location-websites', stream: 'contacts', sourceId: 'old', record: { id: 'old' }, error: { code: 'HTTP_422', message: 'old' }, attempts: 1 };
      store.commitBatch({ runId, links: [], deadLetters: [letter] });
    } finally {
      store.close();
    }

    const replay = await cli(['--json', 'dlq', 'replay', 'location-websites']);
    expect(replay.code, replay.stdout + replay.stderr).toBe(3);
    const json = JSON.parse(replay.stdout) as { replayed: number; stillOpen: number; runs: RunEntry[] };
    expect(json).toMatchObject({ replayed: 2 * SIZE + 1, stillOpen: SIZE + 1 });
    const [landed, gone, unpartitioned] = json.runs;
    expect([landed?.partition, landed?.status, landed?.summary['updated']]).toEqual([UPTOWN, 'succeeded', SIZE]);
    expect(gone).toMatchObject({ partition: HARBOR, status: 'failed', error: { code: 'DEAD_LETTER_PARTITION_GONE' } });
    expect(gone?.error?.message).toContain(`partition '${HARBOR}' of connection 'crm' no longer exists`);
    expect(gone?.error?.hint).toContain(`ferry dlq discard location-websites --partition ${HARBOR} --all`);
    expect(unpartitioned).toMatchObject({ status: 'failed', error: { code: 'DEAD_LETTER_PARTITION_GONE' } });
    expect(unpartitioned?.partition).toBeUndefined();
    expect(unpartitioned?.error?.message).toMatch(/1 open dead letter\(s\) of pipeline 'location-websites' belong to no partition/);

    const sites = await websites();
    expect(sites[UPTOWN]?.every((site) => site?.endsWith('.example') === true)).toBe(true);
    expect(sites[HARBOR]?.some((site) => site?.endsWith('.example') === true)).toBe(false);

    // Discarding takes only open letters: the partition's three were left open by the replay.
    const discard = await plain(['dlq', 'discard', 'location-websites', '--partition', HARBOR, '--all']);
    expect(discard.stdout).toContain(`discarded ${SIZE} dead letter(s) of location-websites in partition '${HARBOR}'`);
    const closed = await letters(['--status', 'all']);
    expect(sorted(closed.map((l) => [l.partition, l.status]))).toEqual(
      sorted([
        ...[DOWNTOWN, UPTOWN].flatMap((p) => Array.from({ length: SIZE }, () => [p, 'replayed'])),
        ...Array.from({ length: SIZE }, () => [HARBOR, 'discarded']),
        ['', 'open'],
      ]),
    );
  });
});
