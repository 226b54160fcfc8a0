import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry } from './support/ferry-cli.js';
import { createTempProject, csvToSqliteProject, contactsPipeline, type TempProject } from './support/temp-project.js';
import { contactsCsv, fakeContacts } from './support/fake-contacts.js';
import { warehouseRows } from './support/warehouse.js';

/**
 * A record that cannot be mapped (a UK number written the national way, read as a US one) goes to the dead-letter
 * queue; the run is partial (exit 1). Fixing the pipeline (the list is British: country GB) and replaying lands it.
 */
describe('ferry dlq (child process)', () => {
  const contacts = fakeContacts(40).map((c) => ({ ...c, status: 'customer' as const }));
  const national = '020 7946 0018';
  const broken = contacts[7];
  if (broken === undefined) throw new Error('no contact');
  contacts[7] = { ...broken, phone: national };
  let project: TempProject;
  const run = (args: string[]) => ferry(args, { cwd: project.dir });

  beforeAll(() => {
    project = createTempProject({
      'ferry.yaml': csvToSqliteProject(),
      'data/contacts.csv': contactsCsv(contacts),
      'pipelines/uk.yaml': contactsPipeline('uk-contacts'),
    });
  });
  afterAll(() => project.remove());

  it('dead-letters the record that fails and finishes the rest (exit 1)', async () => {
    const out = await run(['run', 'uk-contacts']);
    expect(out.code, out.stderr).toBe(1);
    expect(out.stdout).toContain('uk-contacts: partial');
    expect(out.stdout).toContain(`created ${contacts.length - 1}`);
    expect(out.stdout).toContain('dead-lettered 1');
    expect(out.stdout).toContain('ferry dlq list uk-contacts');
    expect(warehouseRows(project.path('warehouse.db'))).toHaveLength(contacts.length - 1);
  });

  it('lists the dead letter with its error, as text and JSON', async () => {
    const text = await run(['dlq', 'list', 'uk-contacts', '--records']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`\\d+\\s+uk-contacts\\s+${broken.id}\\s+open\\s+1\\s+.*MAP_FAILED: .*phone`));
    expect(text.stdout).toContain(national);
    const json = JSON.parse((await run(['dlq', 'list', '--json'])).stdout) as {
      deadLetters: { id: number; sourceId: string; status: string; error: { code: string }; record: Record<string, unknown> }[];
    };
    expect(json.deadLetters).toHaveLength(1);
    expect(json.deadLetters[0]).toMatchObject({ sourceId: broken.id, status: 'open', error: { code: 'MAP_FAILED' }, record: { phone: national } });
    const status = JSON.parse((await run(['status', '--json'])).stdout) as { openDeadLetters: Record<string, number> };
    expect(status.openDeadLetters).toEqual({ 'uk-contacts': 1 });
  });

  it('refuses ids that are not open dead letters of the pipeline', async () => {
    const out = await run(['dlq', 'replay', 'uk-contacts', '--id', '999']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/error: no open dead letter with id 999 .*\nhint: .*ferry dlq list uk-contacts/);
  });

  it('replays the dead letter once the pipeline is fixed, and closes it', async () => {
    // Still broken: the replay fails again and the row stays open (no duplicate row).
    const again = await run(['dlq', 'replay', 'uk-contacts']);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('1 still open');
    const letters = JSON.parse((await run(['dlq', 'list', '--json'])).stdout) as { deadLetters: { id: number; attempts: number }[] };
    expect(letters.deadLetters).toHaveLength(1);
    const id = letters.deadLetters[0]?.id;
    expect(letters.deadLetters[0]?.attempts).toBeGreaterThan(1);

    project.write('pipelines/uk.yaml', contactsPipeline('uk-contacts', { phone: '{ from: phone, convert: { phone: { country: GB } } }' }));
    const replay = await run(['dlq', 'replay', 'uk-contacts', '--id', String(id)]);
    expect(replay.code, replay.stdout + replay.stderr).toBe(0);
    expect(replay.stdout).toContain('replaying 1 dead letter(s) of uk-contacts');
    expect(replay.stdout).toContain('created 1');
    expect(replay.stdout).toContain('every replayed record landed');

    const row = warehouseRows(project.path('warehouse.db')).find((r) => r['id'] === broken.id);
    expect(row?.['phone']).toBe('+442079460018');
    expect((await run(['dlq', 'list', 'uk-contacts'])).stdout).toContain('no open dead letters for uk-contacts');
    const all = JSON.parse((await run(['dlq', 'list', '--status', 'all', '--json'])).stdout) as { deadLetters: { status: string }[] };
    expect(all.deadLetters.map((l) => l.status)).toEqual(['replayed']);
    const nothing = await run(['dlq', 'replay', 'uk-contacts']);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain('nothing to replay');
  });
});
