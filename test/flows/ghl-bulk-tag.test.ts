import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from '../support/ferry-cli.js';
import { readCheckpoint } from '../support/checkpoint-probe.js';
import { createTempProject, type TempProject } from '../support/temp-project.js';
import {
  TIME_SCALE,
  createFlowProject,
  eventually,
  ghlApi,
  ghlLocation,
  ghlRouteCount,
  ghlWrites,
  sorted,
  startSandbox,
  type FlowProject,
  type GhlContactState,
  type SandboxProcess,
} from './support/flow-harness.js';

const PIPELINE = 'ghl-bulk-tag';
const TAGS_ROUTE = 'POST /contacts/{contactId}/tags';

/** The standard tags by the pipeline's rules, as a person reading its header would apply them. */
function missingTags(contact: GhlContactState): string[] {
  const wanted: string[] = [];
  if (contact.phone !== undefined && contact['dnd'] !== true) wanted.push('reachable-by-sms');
  if (contact.email !== undefined && contact.phone === undefined) wanted.push('email-only');
  if (contact.source === 'Salesmsg') wanted.push('from-salesmsg');
  return wanted.filter((tag) => !(contact.tags ?? []).includes(tag));
}

interface PlanJson {
  readonly entries: { sourceId: string; outcome: string; diff: { field: string; after: unknown }[] }[];
}

describe('ghl-bulk-tag: a resumable bulk sync that adds the standard tags to exactly the contacts that lack them', () => {
  let home: TempProject;
  let ghl: SandboxProcess;
  let project: FlowProject;

  beforeAll(async () => {
    home = createTempProject();
    ghl = await startSandbox('ghl', { seed: 7, size: 30 }, home.dir);
    project = createFlowProject({ ghl, pipelines: [`${PIPELINE}.yaml`], ghlPageSize: 5 });
    const { contacts } = await ghlLocation(ghl);
    // Some contacts already carry their tags; one came from Salesmsg with an e-mail only.
    for (const contact of contacts.slice(0, 4)) await ghlApi(ghl, 'POST', `/contacts/${contact.id}/tags`, { tags: ['reachable-by-sms'] });
    await ghlApi(ghl, 'POST', '/contacts/', { locationId: 'sbxLocation000000001', firstName: 'Email', lastName: 'Only', email: 'email.only@example.com', source: 'Salesmsg' });
  });
  afterAll(async () => {
    await ghl.stop();
    project.remove();
    home.remove();
  });

  it('the dry run lists exactly the contacts whose tags must change, with the tags each would get', async () => {
    const { contacts } = await ghlLocation(ghl);
    const due = contacts.filter((c) => missingTags(c).length > 0);
    expect(due.length).toBeGreaterThan(5);
    expect(due.length).toBeLessThan(contacts.length);
    const out = await ferry(['--json', 'plan', PIPELINE, '--time-scale', String(TIME_SCALE)], { cwd: project.dir });
    expect(out.code, out.stderr).toBe(0);
    const plan = JSON.parse(out.stdout) as PlanJson;
    const touched = plan.entries.filter((e) => e.outcome === 'create' || e.outcome === 'update');
    expect(sorted(touched.map((e) => e.sourceId))).toEqual(sorted(due.map((c) => c.id)));
    for (const entry of touched) {
      const contact = due.find((c) => c.id === entry.sourceId);
      expect(entry.diff.find((d) => d.field === 'tags')?.after).toEqual(contact === undefined ? [] : missingTags(contact));
    }
    expect(plan.entries.filter((e) => e.outcome === 'skip')).toHaveLength(contacts.length - due.length);
    expect(ghlWrites(await ghl.stats())).toBe(5);
  });

  it('by hand, stopped half-way (--limit) and resumed: every contact tagged once, untouched ones never called; a re-run writes nothing', async () => {
    const before = await ghlLocation(ghl);
    const due = before.contacts.filter((c) => missingTags(c).length > 0);
    const calls = ghlRouteCount(await ghl.stats(), TAGS_ROUTE);

    const half = await project.runJson(['run', PIPELINE, '--limit', '12']);
    expect(half.runs[0]?.summary).toMatchObject({ read: 12 });
    expect(readCheckpoint(project.storeFile, PIPELINE, 'contacts#full')).toBeDefined();
    const rest = await project.runJson(['run', PIPELINE]);
    expect(rest.runs[0]?.status).toBe('succeeded');
    expect((rest.runs[0]?.summary['read'] ?? 0) + 12).toBeGreaterThanOrEqual(before.contacts.length);
    // The full sync finished: its progress was handed over and cleared.
    expect(readCheckpoint(project.storeFile, PIPELINE, 'contacts#full')).toBeUndefined();

    const after = await ghlLocation(ghl);
    expect(after.contacts.filter((c) => missingTags(c).length > 0)).toEqual([]);
    expect(ghlRouteCount(await ghl.stats(), TAGS_ROUTE) - calls).toBe(due.length);
    for (const contact of before.contacts) {
      const now = after.contacts.find((c) => c.id === contact.id);
      expect(now?.tags).toEqual(expect.arrayContaining(contact.tags ?? []));
    }

    const writes = ghlWrites(await ghl.stats());
    const again = await project.runJson(['run', PIPELINE, '--full']);
    expect(again.runs[0]?.summary).toMatchObject({ read: after.contacts.length, skipped: after.contacts.length });
    expect(ghlWrites(await ghl.stats())).toBe(writes);
  });

  it('schedule: the next scheduled sync tags a contact added since', async () => {
    const created = (await ghlApi(ghl, 'POST', '/contacts/', { locationId: 'sbxLocation000000001', firstName: 'New', lastName: 'Comer', phone: '+14155550777' }))['contact'] as { id: string };
    project.usePipelines('* * * * * *');
    const served = await project.serve();
    try {
      await eventually(
        async () => ((await ghlLocation(ghl)).contacts.find((c) => c.id === created.id)?.tags?.includes('reachable-by-sms') === true ? true : undefined),
        'the new contact tagged by the schedule',
        45_000,
      );
    } finally {
      expect((await served.stop()).code).toBe(0);
      project.usePipelines();
    }
    expect((await ghlLocation(ghl)).contacts.filter((c) => missingTags(c).length > 0)).toEqual([]);
  });
});
