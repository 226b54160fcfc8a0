import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../store/index.js';
import { linkedPipeline, linkedWorld, type LinkedWorld } from './fixtures/linked-world.js';
import { runPipeline } from './run-pipeline.js';

const stores: SqliteStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup(): { world: LinkedWorld; store: SqliteStore } {
  const store = openSqliteStore(':memory:');
  stores.push(store);
  return { world: linkedWorld(), store };
}

const people = (world: LinkedWorld, ...list: { id: string; name: string; tags?: string[]; optOut?: boolean }[]): void => {
  for (const person of list) world.people.set(person.id, { tags: [], ...person });
};

describe('when.became: only records that start to pass', () => {
  const pipeline = linkedPipeline('customers', { when: { became: "'customer' in tags" } });

  it('passes a record the first time it passes (seen first or not), never while it keeps passing, again after it stopped', async () => {
    const { world, store } = setup();
    people(world, { id: 'p1', name: 'Ada', tags: ['customer'] }, { id: 'p2', name: 'Bob', tags: ['lead'] });
    expect((await runPipeline(world.options(pipeline, store))).summary).toMatchObject({ created: 1, skipped: 1 });
    expect((await runPipeline(world.options(pipeline, store))).summary).toMatchObject({ created: 0, skipped: 2 });

    people(world, { id: 'p2', name: 'Bob', tags: ['lead', 'customer'] }, { id: 'p1', name: 'Ada', tags: [] });
    expect((await runPipeline(world.options(pipeline, store))).summary).toMatchObject({ created: 1, skipped: 1 });
    people(world, { id: 'p1', name: 'Ada Lovelace', tags: ['customer'] });
    expect((await runPipeline(world.options(pipeline, store))).summary).toMatchObject({ updated: 1, skipped: 1 });
    expect(world.calls).toEqual(['rows.upsert d1', 'rows.upsert d2', 'rows.upsert d1']);
  });

  it('remembers nothing in a dry run', async () => {
    const { world, store } = setup();
    people(world, { id: 'p1', name: 'Ada', tags: ['customer'] });
    expect((await runPipeline(world.options(pipeline, store, { dryRun: true }))).summary).toMatchObject({ created: 1 });
    expect((await runPipeline(world.options(pipeline, store))).summary).toMatchObject({ created: 1 });
  });
});

describe('then[].link: a follow-up result linked to the source record', () => {
  it('is linked under its own entity, passed back as the linked id, and not called again while its input is unchanged', async () => {
    const { world, store } = setup();
    people(world, { id: 'p1', name: 'Ada' });
    const pipeline = linkedPipeline('with-task', {
      // oxlint-disable-next-line unicorn/no-thenable -- the pipeline's follow-up steps
      then: [{ connection: 'dst', action: 'tasks.create', link: true, map: { title: { expr: "'Call ' & name" }, owner: { expr: '$result.id' } } }],
    });
    await runPipeline(world.options(pipeline, store));
    const key = { sourceConnection: 'src', sourceStream: 'people', sourceId: 'p1', targetConnection: 'dst' };
    expect(store.getLink({ ...key, targetEntity: 'tasks' }, 'with-task')).toMatchObject({ targetId: 'task2', content: { title: 'Call Ada', owner: 'd1' } });
    expect(store.getLink({ ...key, targetEntity: 'rows' }, 'with-task')?.targetId).toBe('d1');

    people(world, { id: 'p1', name: 'Ada', tags: ['changed'] });
    const pipelineWithTags = { ...pipeline, map: { name: 'name', tags: 'tags' } };
    await runPipeline(world.options(pipelineWithTags, store));
    expect(world.calls).toEqual(['rows.upsert d1', 'tasks.create task2', 'rows.upsert d1']);
    people(world, { id: 'p1', name: 'Ada L.' });
    await runPipeline(world.options(pipelineWithTags, store));
    expect(world.calls.slice(3)).toEqual(['rows.upsert d1', 'tasks.create task2']);
    expect(world.dst.get('tasks')?.get('task2')).toEqual({ title: 'Call Ada L.', owner: 'd1' });
  });
});

describe('to.link: acting on the destination record of another record’s link', () => {
  async function withTasks(world: LinkedWorld, store: SqliteStore): Promise<void> {
    people(world, { id: 'p1', name: 'Ada' }, { id: 'p2', name: 'Bob' });
    const followUp = { connection: 'dst', action: 'tasks.create', link: true, map: { title: { expr: "'Call ' & name" }, owner: { expr: '$result.id' } } };
    // oxlint-disable-next-line unicorn/no-thenable -- the pipeline's follow-up steps
    const leads = linkedPipeline('leads', { then: [followUp] });
    await runPipeline(world.options(leads, store));
    world.people.set('p3', { id: 'p3', name: 'Cy', tags: [] });
  }

  it('binds $link, skips records without the link, writes once, and drops the link when the action deletes the record', async () => {
    const { world, store } = setup();
    await withTasks(world, store);
    const complete = linkedPipeline('complete', {
      to: { connection: 'dst', action: 'rows.update', with: { entity: 'tasks' }, link: { stream: 'people', id: 'id', entity: 'tasks' } },
      map: { done: { const: true }, owner: { expr: '$link.content.owner' } },
    });
    const taskOf = (sourceId: string): string | undefined =>
      store.getLink({ sourceConnection: 'src', sourceStream: 'people', sourceId, targetConnection: 'dst', targetEntity: 'tasks' }, 'leads')?.targetId;
    const adaTask = taskOf('p1') ?? '';
    const bobTask = taskOf('p2') ?? '';
    expect((await runPipeline(world.options(complete, store))).summary).toMatchObject({ updated: 2, skipped: 1 });
    expect(world.dst.get('tasks')?.get(adaTask)).toMatchObject({ title: 'Call Ada', done: true });
    expect(world.dst.get('tasks')?.get(adaTask)?.['owner']).toMatch(/^d\d$/);
    expect((await runPipeline(world.options(complete, store))).summary).toMatchObject({ updated: 0, unchanged: 2, skipped: 1 });

    const removeOpen = linkedPipeline('remove-open', {
      where: '$not($link.content.done = true) or id = "p2"',
      to: { connection: 'dst', action: 'rows.delete', with: { entity: 'tasks' }, link: { stream: 'people', id: 'id', entity: 'tasks' } },
      map: { owner: { expr: '$link.content.owner' } },
    });
    expect((await runPipeline(world.options(removeOpen, store))).summary).toMatchObject({ deleted: 1, skipped: 2 });
    expect(world.dst.get('tasks')?.has(bobTask)).toBe(false);
    expect(world.dst.get('tasks')?.has(adaTask)).toBe(true);
    const gone = { sourceConnection: 'src', sourceStream: 'people', sourceId: 'p2', targetConnection: 'dst', targetEntity: 'tasks' };
    expect(store.getLink(gone, 'leads')).toBeUndefined();
    // Every pipeline that acted through that link now finds none.
    expect((await runPipeline(world.options(complete, store))).summary).toMatchObject({ unchanged: 1, skipped: 2 });
  });
});

describe('requireLink, reverse links and skipEchoes (two-way sync)', () => {
  it('updates only linked records, trusts what another pipeline wrote, follows links either way, and skips its own echoes', async () => {
    const { world, store } = setup();
    people(world, { id: 'p1', name: 'Ada' }, { id: 'p2', name: 'Bob' });
    const out = linkedPipeline('out', { to: { connection: 'dst', action: 'rows.upsert', with: { entity: 'rows' } } });
    await runPipeline(world.options(out, store));
    world.people.set('p3', { id: 'p3', name: 'Cy', tags: [] });

    const changes = linkedPipeline('changes', { to: { connection: 'dst', action: 'rows.update', with: { entity: 'rows' }, requireLink: true } });
    // Linked by `out` with these very values: nothing to write; p3 has no link: skipped.
    expect((await runPipeline(world.options(changes, store))).summary).toMatchObject({ updated: 0, unchanged: 2, skipped: 1 });
    people(world, { id: 'p1', name: 'Ada Lovelace' });
    expect((await runPipeline(world.options(changes, store))).summary).toMatchObject({ updated: 1, unchanged: 1, skipped: 1 });

    const back = linkedPipeline('back', {
      from: { connection: 'dst', stream: 'rows', sync: 'full' },
      skipEchoes: true,
      to: { connection: 'src', action: 'people.update', requireLink: true },
      map: { name: 'name' },
    });
    // Both destination records show exactly what ferry wrote to them: echoes.
    expect((await runPipeline(world.options(back, store))).summary).toMatchObject({ updated: 0, skipped: 2 });
    world.dst.get('rows')?.set('d2', { name: 'Robert' });
    expect((await runPipeline(world.options(back, store))).summary).toMatchObject({ updated: 1, skipped: 1 });
    expect(world.people.get('p2')).toMatchObject({ name: 'Robert' });
    expect(world.calls.at(-1)).toBe('people.update p2');
  });
});

describe('from.byId', () => {
  it('reads the one record named by the param and leaves the checkpoint alone', async () => {
    const { world, store } = setup();
    people(world, { id: 'p1', name: 'Ada' }, { id: 'p2', name: 'Bob' });
    const pipeline = linkedPipeline('by-id', { from: { connection: 'src', stream: 'people', sync: 'full', byId: { stream: 'person', param: 'personId' } } });
    const result = await runPipeline(world.options(pipeline, store, { params: { personId: 'p2' } }));
    expect(result.summary).toMatchObject({ read: 1, created: 1 });
    expect(store.listRuns({ pipeline: 'by-id' })[0]?.mode).toBe('by-id');
    expect(store.listCheckpoints('by-id')).toEqual([]);
  });
});
