import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveSandbox, type ServedSandbox } from '@ferry/core';
import { ghlSandbox, sandboxAgencyToken, sandboxTokens, SANDBOX_APP_ID, SANDBOX_COMPANY_ID } from '@ferry/connector-ghl/sandbox';
import type { OpenPipelineResponse, PreviewResponse, SampleResponse } from '../studio/shared/api-types.js';
import { ferry, spawnFerry, waitFor, type FerryProcess } from './support/ferry-cli.js';
import { createTempProject, type TempProject } from './support/temp-project.js';

const TIME_SCALE = 20;
const SIZE = 6;
const LOCATIONS = ['sbxLocation000000001', 'sbxLocation000000002', 'sbxLocation000000003'];
const [FIRST = '', SECOND = '', UNINSTALLED = ''] = LOCATIONS;

const CSV = 'id,email\nc-1,ada@example.com\n';

/**
 * `ferry studio` over partitioned GHL connections, through its HTTP API (the requests the studio page sends): a
 * connection that lists two locations, each with its own token, and an agency connection that discovers them. The
 * sample is read in the chosen location, and the preview plans as that location's unit.
 */
describe('ferry studio over partitioned connections (child process, GHL sandbox with several locations)', { timeout: 120_000 }, () => {
  let sandbox: ServedSandbox;
  let project: TempProject;
  let studio: FerryProcess;
  let origin: string;
  let token: string;
  let env: Record<string, string>;

  const post = async <T>(path: string, body: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ferry-studio-token': token },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const sample = async (body: Record<string, unknown>): Promise<SampleResponse> => {
    const answer = await post<SampleResponse>('/api/sample', body);
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const open = async (file: string): Promise<OpenPipelineResponse> => {
    const response = await fetch(`${origin}/api/pipeline?${new URLSearchParams({ file }).toString()}`, { headers: { 'x-ferry-studio-token': token } });
    expect(response.status).toBe(200);
    return (await response.json()) as OpenPipelineResponse;
  };
  const preview = async (file: string, partition?: string): Promise<PreviewResponse> => {
    const opened = await open(file);
    const answer = await post<PreviewResponse>('/api/preview', { file, draft: opened.draft, ...(partition === undefined ? {} : { partition }) });
    expect(answer.status).toBe(200);
    return answer.body;
  };
  const locationsOf = (records: readonly Record<string, unknown>[]): string[] => [...new Set(records.map((record) => String(record['locationId'])))];

  beforeAll(async () => {
    sandbox = await serveSandbox(ghlSandbox, {
      host: '127.0.0.1',
      port: 0,
      seed: 11,
      size: SIZE,
      timeScale: TIME_SCALE,
      extra: { locations: LOCATIONS, uninstalledLocations: [UNINSTALLED] },
    });
    env = { GHL_SANDBOX_URL: sandbox.url, GHL_AGENCY_TOKEN: sandboxAgencyToken() };
    project = createTempProject({
      'ferry.yaml': `store: state/ferry.db
connections:
  crm:
    connector: ghl
    config: { baseUrl: "\${GHL_SANDBOX_URL}", searchPageLimit: 4 }
    partitions:
      - { id: ${FIRST}, label: North, config: { locationId: ${FIRST} }, auth: { token: ${sandboxTokens(FIRST).full} } }
      - { id: ${SECOND}, label: South, config: { locationId: ${SECOND} }, auth: { token: ${sandboxTokens(SECOND).full} } }
  agency:
    connector: ghl
    config: { baseUrl: "\${GHL_SANDBOX_URL}", companyId: ${SANDBOX_COMPANY_ID}, appId: ${SANDBOX_APP_ID} }
    auth: { token: "\${GHL_AGENCY_TOKEN}" }
    partitions: discover
  signups: { connector: csv, config: { path: data/signups.csv, primaryKey: id } }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipelines/*.yaml]
`,
      'data/signups.csv': CSV,
      'pipelines/to-warehouse.yaml': `name: location-contacts
from: { connection: crm, stream: contacts, sync: incremental }
to: { connection: warehouse, action: upsert, with: { table: contacts } }
map:
  id: id
  locationId: locationId
  email: email
`,
      // Back into the same location: the destination's look-ups go through the location's context and token.
      'pipelines/round-trip.yaml': `name: location-round-trip
from: { connection: crm, stream: contacts }
to: { connection: crm, action: contacts.upsert, match: [email] }
map:
  email: email
  firstName: firstName
`,
    });
    studio = spawnFerry(['--json', 'studio', '--no-open', '--limit', '5', '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env, timeoutMs: 110_000 });
    const line = await waitFor(() => studio.stdout().split('\n').find((text) => text.startsWith('{')), `the studio's URL (stderr: ${studio.stderr()})`, 30_000);
    const printed = JSON.parse(line) as { url: string; origin: string };
    origin = printed.origin;
    token = new URL(printed.url).searchParams.get('token') ?? '';
  });

  afterAll(async () => {
    studio?.child.kill('SIGTERM');
    await studio?.exited.catch(() => undefined);
    project?.remove();
    await sandbox?.close();
  });

  it('samples a listed partition: the first by default, the chosen one on request, and lists them all', async () => {
    const first = await sample({ connection: 'crm', stream: 'contacts' });
    expect(first.error).toBeUndefined();
    expect(first.partitions).toEqual([
      { id: FIRST, label: 'North' },
      { id: SECOND, label: 'South' },
    ]);
    expect(first.partition).toBe(FIRST);
    expect(first.records).toHaveLength(5);
    expect(locationsOf(first.records)).toEqual([FIRST]);

    const second = await sample({ connection: 'crm', stream: 'contacts', partition: SECOND });
    expect(second.error).toBeUndefined();
    expect(second.partition).toBe(SECOND);
    expect(second.partitions?.map((partition) => partition.id)).toEqual([FIRST, SECOND]);
    expect(second.records).toHaveLength(5);
    expect(locationsOf(second.records)).toEqual([SECOND]);
    const firstIds = new Set(first.records.map((record) => record['id']));
    expect(second.records.some((record) => firstIds.has(record['id']))).toBe(false);
    // Read in the location's own context: the fields seen in the records are offered to map.
    expect(second.fields.map((field) => field.path)).toContain('locationId');
  });

  it('names the known partitions when asked for one the connection does not have', async () => {
    const typo = await sample({ connection: 'crm', stream: 'contacts', partition: 'sbxLocation00000002' });
    expect(typo.records).toEqual([]);
    expect(typo.error?.code).toBe('STUDIO_UNKNOWN_PARTITION');
    expect(typo.error?.message).toContain("connection 'crm' has no partition 'sbxLocation00000002'");
    expect(typo.error?.message).toContain(`did you mean '${SECOND}'`);
    expect(typo.error?.hint).toContain(`${FIRST}, ${SECOND}`);

    const unpartitioned = await sample({ connection: 'signups', stream: 'records', partition: FIRST });
    expect(unpartitioned.error?.code).toBe('STUDIO_UNKNOWN_PARTITION');
    expect(unpartitioned.error?.message).toContain("connection 'signups' has no partitions");

    const plain = await sample({ connection: 'signups', stream: 'records' });
    expect(plain.records).toEqual([{ id: 'c-1', email: 'ada@example.com' }]);
    expect(plain).not.toHaveProperty('partitions');
    expect(plain).not.toHaveProperty('partition');

    const wrongType = await post<{ error: { code: string } }>('/api/sample', { connection: 'crm', stream: 'contacts', partition: 2 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.code).toBe('STUDIO_BAD_REQUEST');
  });

  it('samples a discovered partition: the installed locations, labelled, each read with its location token', async () => {
    const first = await sample({ connection: 'agency', stream: 'contacts' });
    expect(first.error).toBeUndefined();
    expect(first.partitions?.map((partition) => partition.id)).toEqual([FIRST, SECOND]);
    expect(first.partitions?.every((partition) => partition.label?.startsWith('Sandbox location') === true)).toBe(true);
    expect(locationsOf(first.records)).toEqual([FIRST]);

    const second = await sample({ connection: 'agency', stream: 'contacts', partition: SECOND });
    expect(second.partition).toBe(SECOND);
    expect(locationsOf(second.records)).toEqual([SECOND]);

    const uninstalled = await sample({ connection: 'agency', stream: 'contacts', partition: UNINSTALLED });
    expect(uninstalled.error?.code).toBe('STUDIO_UNKNOWN_PARTITION');
  });

  it("plans as the chosen location's unit: look-ups in that location find each of its contacts", async () => {
    for (const location of [FIRST, SECOND]) {
      const result = await preview('pipelines/round-trip.yaml', location);
      expect(result.problems).toEqual([]);
      expect(result.sourceError).toBeUndefined();
      expect(result.planned).toBe(true);
      expect(result.partition).toBe(location);
      expect(locationsOf(result.rows.map((row) => row.source))).toEqual([location]);
      const withEmail = result.rows.filter((row) => typeof row.source['email'] === 'string');
      expect(withEmail.length).toBeGreaterThan(0);
      for (const row of withEmail) {
        expect(row.error).toBeUndefined();
        // Found by email in the same location (through its token): the record itself, with no field to change.
        expect(row.targetId).toBe(row.sourceId);
        expect(row.outcome).not.toBe('create');
        expect(row.diff).toEqual([]);
      }
    }
  });

  it('plans against the links of the run of that partition: what one location wrote is unchanged, the other is new', async () => {
    const run = await ferry(['run', 'location-contacts', '--partition', FIRST, '--time-scale', String(TIME_SCALE)], { cwd: project.dir, env });
    expect(run.code, run.stdout + run.stderr).toBe(0);

    const written = await preview('pipelines/to-warehouse.yaml', FIRST);
    expect(written.planned).toBe(true);
    expect(written.partition).toBe(FIRST);
    expect(written.rows).toHaveLength(5);
    expect(written.rows.map((row) => row.outcome)).toEqual(Array(5).fill('unchanged'));

    const fresh = await preview('pipelines/to-warehouse.yaml', SECOND);
    expect(fresh.planned).toBe(true);
    expect(fresh.partition).toBe(SECOND);
    expect(fresh.rows.map((row) => row.outcome)).toEqual(Array(5).fill('create'));
    expect(fresh.rows.map((row) => row.mapped?.['locationId'])).toEqual(Array(5).fill(SECOND));

    const byDefault = await preview('pipelines/to-warehouse.yaml');
    expect(byDefault.partition).toBe(FIRST);
    expect(byDefault.rows.map((row) => row.sourceId)).toEqual(written.rows.map((row) => row.sourceId));

    const unknown = await preview('pipelines/to-warehouse.yaml', 'nowhere');
    expect(unknown.rows).toEqual([]);
    expect(unknown.planned).toBe(false);
    expect(unknown.sourceError?.code).toBe('STUDIO_UNKNOWN_PARTITION');
  });
});
