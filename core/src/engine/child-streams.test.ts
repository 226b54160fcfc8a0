import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../errors/ferry-error.js';
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
  const world = linkedWorld();
  world.people.set('p1', { id: 'p1', name: 'Ada' });
  world.people.set('p2', { id: 'p2', name: 'Bob' });
  world.tasks.set('p1', [
    { id: 't1', title: 'Call', done: false },
    { id: 't2', title: 'Mail', done: false },
  ]);
  world.tasks.set('p2', [{ id: 't3', title: 'Visit', done: true }]);
  return { world, store };
}

const enrich = linkedPipeline('enrich', {
  include: [
    {
      stream: 'person.tasks',
      where: "title != 'Ignore me'",
      map: { id: 'id', title: 'title', done: 'done', person: { expr: '$parent.name' } },
      to: { connection: 'dst', action: 'rows.upsert', with: { entity: 'tasks' } },
      prune: { connection: 'dst', action: 'rows.delete', with: { entity: 'tasks' } },
    },
  ],
});

function tasksAtDestination(world: LinkedWorld): Record<string, unknown>[] {
  return [...(world.dst.get('tasks')?.values() ?? [])].sort((a, b) => String(a['id']).localeCompare(String(b['id'])));
}

describe('include: child streams read and written for every parent record', () => {
  it('writes the children of each parent with $parent bound, and reads them again for unchanged parents without writing', async () => {
    const { world, store } = setup();
    const first = await runPipeline(world.options(enrich, store));
    expect(first.summary).toMatchObject({ read: 2, created: 5, deadLettered: 0 });
    expect(tasksAtDestination(world)).toEqual([
      { id: 't1', title: 'Call', done: false, person: 'Ada' },
      { id: 't2', title: 'Mail', done: false, person: 'Ada' },
      { id: 't3', title: 'Visit', done: true, person: 'Bob' },
    ]);
    world.calls.length = 0;
    world.childReads.length = 0;
    const second = await runPipeline(world.options(enrich, store));
    expect(second.summary).toMatchObject({ read: 2, created: 0, updated: 0, unchanged: 5 });
    expect(world.calls).toEqual([]);
    expect(world.childReads.sort()).toEqual(['p1', 'p2']);
  });

  it('updates changed children and prunes the ones gone since the last read (their links go too)', async () => {
    const { world, store } = setup();
    await runPipeline(world.options(enrich, store));
    world.tasks.set('p1', [
      { id: 't1', title: 'Call', done: true },
      { id: 't4', title: 'New', done: false },
      { id: 't5', title: 'Ignore me', done: false },
    ]);
    world.calls.length = 0;
    const result = await runPipeline(world.options(enrich, store));
    expect(result.summary).toMatchObject({ created: 1, updated: 1, deleted: 1, unchanged: 3, skipped: 1 });
    expect(tasksAtDestination(world).map((t) => [t['id'], t['done']])).toEqual([
      ['t1', true],
      ['t3', true],
      ['t4', false],
    ]);
    const key = { sourceConnection: 'src', sourceStream: 'person.tasks', sourceId: 't2', targetConnection: 'dst', targetEntity: 'tasks' };
    expect(store.getLink(key, 'enrich')).toBeUndefined();
    expect(JSON.parse(store.getValue('children:enrich', 'person.tasks:p1') ?? '[]')).toEqual(['t1', 't4', 't5']);
    // Nothing left to prune: a third run calls nothing.
    world.calls.length = 0;
    await runPipeline(world.options(enrich, store));
    expect(world.calls).toEqual([]);
  });

  it('fails the parent when a child fails: dead-lettered, its own link kept without a hash, and replayed whole', async () => {
    const { world, store } = setup();
    world.tasks.set('p2', [{ id: 't3', title: 'Visit', done: true, bad: true }]);
    const failing = linkedPipeline('enrich', {
      include: [
        {
          stream: 'person.tasks',
          map: { id: 'id', title: { expr: "bad = true ? $error('no title') : title" } },
          to: { connection: 'dst', action: 'rows.upsert', with: { entity: 'tasks' } },
        },
      ],
    });
    const result = await runPipeline(world.options(failing, store));
    expect(result.summary).toMatchObject({ read: 2, deadLettered: 1 });
    const [letter] = store.listDeadLetters({ pipeline: 'enrich' });
    expect(letter).toMatchObject({ sourceId: 'p2', error: { message: expect.stringContaining('include[0] (person.tasks t3, map)') as string } });
    const parent = store.getLink({ sourceConnection: 'src', sourceStream: 'people', sourceId: 'p2', targetConnection: 'dst', targetEntity: 'rows' }, 'enrich');
    expect(parent).toMatchObject({ hash: '' });

    world.tasks.set('p2', [{ id: 't3', title: 'Visit', done: true }]);
    const { replayDeadLetters } = await import('./replay-dead-letters.js');
    const replay = await replayDeadLetters(world.options(failing, store));
    expect(replay.summary).toMatchObject({ deadLettered: 0 });
    expect(world.dst.get('tasks')?.get('t3') ?? [...(world.dst.get('tasks')?.values() ?? [])].find((t) => t['id'] === 't3')).toMatchObject({ title: 'Visit' });
  });

  it('refuses an include that is not a child stream of the pipeline’s stream', async () => {
    const { world, store } = setup();
    const wrong = linkedPipeline('wrong', { include: [{ stream: 'person', to: { connection: 'dst', action: 'rows.upsert' } }] });
    await expect(runPipeline(world.options(wrong, store))).rejects.toThrow(FerryError);
    await expect(runPipeline(world.options(wrong, store))).rejects.toMatchObject({ code: 'CONFIG_NOT_A_CHILD_STREAM' });
  });
});
