import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PipelineSpec } from '../contract/pipeline.js';
import type { LinkKey, Store } from '../contract/store.js';
import { openSqliteStore, type SqliteStore } from '../store/index.js';
import { linkedPipeline, linkedWorld, type LinkedWorld } from './fixtures/linked-world.js';
import type { RunResult } from './run-types.js';
import { runPipeline } from './run-pipeline.js';

/**
 * The look-ups of a page are asked for in one store call each and answered from there; these tests hold that to
 * what one store call per record gives: the same writes, links, remembered values and summaries, also when records
 * of one page affect each other (the same id twice, a commit between them, an asynchronous map).
 */

const BATCHED = ['getLinks', 'findLinksByTarget', 'findLinksFrom', 'getValues'] as const;

const stores: SqliteStore[] = [];
beforeEach(() => {
  // Both sides must see the same timings: the run's once-a-second commit would land wherever a slow machine happens
  // to be (only batch-size commits here), and the store orders writes of one millisecond by row, not by time.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  for (const store of stores.splice(0)) store.close();
});

/** A new store as it is, or without its batched look-ups (every look-up is then one store call per record). */
function newStore(batched: boolean): { store: Store; sqlite: SqliteStore } {
  const sqlite = openSqliteStore(':memory:');
  stores.push(sqlite);
  if (batched) return { store: sqlite, sqlite };
  const store = Object.create(sqlite) as Store;
  // An own property hides the prototype's method: the engine sees a store that cannot batch.
  for (const method of BATCHED) Object.defineProperty(store, method, { value: undefined });
  return { store, sqlite };
}

interface Knobs {
  readonly pageSize: number;
  readonly batchSize: number;
  readonly concurrency: number;
  /** A map with a JSONata expression: records are decided after an await, not while the page is staged. */
  readonly asyncMap: boolean;
  readonly asyncBecame: boolean;
}

/** Every link feature at once: `when.became`, `skipEchoes`, a linked `then` step and a pruned child stream. */
function leads(knobs: Knobs): PipelineSpec {
  return linkedPipeline('leads', {
    when: { became: knobs.asyncBecame ? "$count(tags[$ = 'customer']) > 0" : "'customer' in tags" },
    skipEchoes: true,
    map: knobs.asyncMap ? { name: { expr: 'name' } } : { name: 'name' },
    to: { connection: 'dst', action: 'rows.upsert', with: { entity: 'rows' } },
    // oxlint-disable-next-line unicorn/no-thenable -- the pipeline's follow-up steps
    then: [{ connection: 'dst', action: 'tasks.create', link: true, map: { title: { expr: "'Call ' & name" } } }],
    include: [
      {
        stream: 'person.tasks',
        map: { id: 'id', title: 'title' },
        to: { connection: 'dst', action: 'rows.upsert', with: { entity: 'subtasks' } },
        prune: { connection: 'dst', action: 'rows.delete', with: { entity: 'subtasks' } },
      },
    ],
    batchSize: knobs.batchSize,
    concurrency: knobs.concurrency,
  });
}

/** `to.link`: acts on the task `leads` linked to each person. */
function complete(knobs: Knobs): PipelineSpec {
  return linkedPipeline('complete', {
    to: { connection: 'dst', action: 'rows.update', with: { entity: 'tasks' }, link: { stream: 'people', id: 'id', entity: 'tasks' } },
    map: { done: { const: true }, about: knobs.asyncMap ? { expr: '$link.content.title' } : { const: 'task' } },
    batchSize: knobs.batchSize,
    concurrency: knobs.concurrency,
  });
}

/** `requireLink`: updates only what `leads` linked, trusting what it wrote. */
function changes(knobs: Knobs): PipelineSpec {
  return linkedPipeline('changes', {
    to: { connection: 'dst', action: 'rows.update', with: { entity: 'rows' }, requireLink: true },
    batchSize: knobs.batchSize,
    concurrency: knobs.concurrency,
  });
}

/** The way back: destination rows onto the people they were written from, skipping ferry's own echoes. */
function back(knobs: Knobs): PipelineSpec {
  return linkedPipeline('back', {
    from: { connection: 'dst', stream: 'rows', sync: 'full' },
    skipEchoes: true,
    to: { connection: 'src', action: 'people.update', requireLink: true },
    map: { name: 'name' },
    batchSize: knobs.batchSize,
    concurrency: knobs.concurrency,
  });
}

interface Round {
  /** The people read this round, in order (ids repeat). */
  readonly feed: readonly { readonly id: string; readonly name: string | null; readonly tags: readonly string[] }[];
  /** Child tasks of each person this round, by letter. */
  readonly tasks: readonly { readonly person: string; readonly letters: readonly string[]; readonly title: string }[];
  /** Destination rows renamed before the way back runs (by index among the rows). */
  readonly renames: readonly { readonly index: number; readonly name: string }[];
}

const PEOPLE = ['p1', 'p2', 'p3', 'p4', 'p5'];

/** Runs every round through the four pipelines; what the runs left behind, independent of timing. */
async function play(rounds: readonly Round[], knobs: Knobs, batched: boolean) {
  const world = linkedWorld();
  const { store, sqlite } = newStore(batched);
  world.pageSize = knobs.pageSize;
  const results: RunResult[] = [];
  for (const round of rounds) {
    // A record without a name of its own shows what the person holds now (maybe what the way back wrote: an echo).
    const feed = round.feed.map((entry) => ({ id: entry.id, name: entry.name ?? nameOf(world, entry.id), tags: [...entry.tags] }));
    for (const person of feed) world.people.set(person.id, person);
    for (const { person, letters, title } of round.tasks) world.tasks.set(person, letters.map((letter) => ({ id: `${person}-${letter}`, title })));
    world.feed = feed;
    results.push(await runPipeline(world.options(leads(knobs), store)));
    results.push(await runPipeline(world.options(complete(knobs), store)));
    results.push(await runPipeline(world.options(changes(knobs), store)));
    const rows = [...(world.dst.get('rows')?.entries() ?? [])];
    for (const { index, name } of round.renames) {
      const row = rows[index % Math.max(1, rows.length)];
      if (row !== undefined) world.dst.get('rows')?.set(row[0], { ...row[1], name });
    }
    world.feed = undefined;
    results.push(await runPipeline(world.options(back(knobs), store)));
  }
  return { world, outcome: outcomeOf(world, sqlite, results) };
}

function nameOf(world: LinkedWorld, id: string): string {
  const name = world.people.get(id)?.['name'];
  return typeof name === 'string' ? name : 'Nobody';
}

/** Sorted by their JSON text: an order that does not depend on the order things happened in. */
function sortedByJson<T>(items: readonly T[]): T[] {
  return [...items].sort((left, right) => JSON.stringify(left).localeCompare(JSON.stringify(right)));
}

function outcomeOf(world: LinkedWorld, store: SqliteStore, results: readonly RunResult[]) {
  const link = (key: LinkKey, pipeline: string) => {
    const found = store.getLink(key, pipeline);
    return found === undefined ? undefined : { targetId: found.targetId, hash: found.hash, content: found.content };
  };
  const sources = PEOPLE.flatMap((id) => [
    { sourceConnection: 'src', sourceStream: 'people', sourceId: id, targetConnection: 'dst', targetEntity: 'rows' },
    { sourceConnection: 'src', sourceStream: 'people', sourceId: id, targetConnection: 'dst', targetEntity: 'tasks' },
    ...['a', 'b', 'c'].map((letter) => ({ sourceConnection: 'src', sourceStream: 'person.tasks', sourceId: `${id}-${letter}`, targetConnection: 'dst', targetEntity: 'subtasks' })),
  ]);
  const rows = [...(world.dst.get('rows')?.keys() ?? [])].map((id) => ({ sourceConnection: 'dst', sourceStream: 'rows', sourceId: id, targetConnection: 'src', targetEntity: 'people' }));
  return {
    results: results.map(({ status, summary: { durationMs: _duration, ...summary } }) => ({ status, summary })),
    calls: sortedByJson(world.calls),
    dst: sortedByJson([...world.dst.entries()].map(([entity, records]) => [entity, sortedByJson([...records.entries()])])),
    people: sortedByJson([...world.people.entries()]),
    links: ['leads', 'complete', 'changes', 'back'].map((pipeline) => [...sources, ...rows].map((key) => link(key, pipeline))),
    values: PEOPLE.map((id) => [store.getValue('became:leads', id), store.getValue('children:leads', `person.tasks:${id}`)]),
    deadLetters: store
      .listDeadLetters()
      .map((letter) => `${letter.pipeline} ${letter.sourceId ?? ''} ${letter.error.code}`)
      .sort(),
  };
}

const roundArb: fc.Arbitrary<Round> = fc.record({
  feed: fc.array(
    fc.record({
      id: fc.constantFrom(...PEOPLE),
      name: fc.option(fc.constantFrom('Ada', 'Bob', 'Cy'), { nil: null }),
      tags: fc.subarray(['customer', 'lead']),
    }),
    { maxLength: 12 },
  ),
  tasks: fc.array(fc.record({ person: fc.constantFrom(...PEOPLE), letters: fc.subarray(['a', 'b', 'c']), title: fc.constantFrom('Call', 'Mail') }), { maxLength: 4 }),
  renames: fc.array(fc.record({ index: fc.nat(9), name: fc.constantFrom('Ada', 'Robert', 'Cy') }), { maxLength: 3 }),
});

const knobsArb: fc.Arbitrary<Knobs> = fc.record({
  pageSize: fc.integer({ min: 1, max: 5 }),
  batchSize: fc.integer({ min: 1, max: 4 }),
  concurrency: fc.integer({ min: 1, max: 3 }),
  asyncMap: fc.boolean(),
  asyncBecame: fc.boolean(),
});

const sequential: Knobs = { pageSize: 10, batchSize: 1, concurrency: 1, asyncMap: true, asyncBecame: false };

describe('look-ups a page at a time', () => {
  it('leave exactly what one look-up per record leaves, whatever the data, pages, batches and concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(roundArb, { minLength: 1, maxLength: 3 }), knobsArb, async (rounds, knobs) => {
        const single = await play(rounds, knobs, false);
        const batched = await play(rounds, knobs, true);
        expect(batched.outcome).toEqual(single.outcome);
      }),
      { numRuns: 30 },
    );
  });

  it('let a later record of a page see the link an earlier one committed: one create, then updates', async () => {
    const rounds: Round[] = [
      {
        feed: [
          { id: 'p1', name: 'Ada', tags: ['customer'] },
          { id: 'p1', name: 'Ada L.', tags: [] },
          { id: 'p1', name: 'Ada Lovelace', tags: ['customer'] },
        ],
        tasks: [],
        renames: [],
      },
    ];
    for (const batched of [false, true]) {
      const { world, outcome } = await play(rounds, sequential, batched);
      // became: a start, a stop (skipped), a start again; each start writes the row and its task, updating the first.
      expect(outcome.results[0]?.summary).toMatchObject({ read: 3, created: 1, updated: 1, skipped: 1 });
      expect(world.calls.slice(0, 4)).toEqual(['rows.upsert d1', 'tasks.create task2', 'rows.upsert d1', 'tasks.create task2']);
      expect(world.dst.get('tasks')?.get('task2')).toMatchObject({ title: 'Call Ada Lovelace' });
      expect(outcome.values[0]?.[0]).toBe('1');
    }
  });

  it('prune the children of a parent that comes twice in a page as one look-up at a time does', async () => {
    const rounds: Round[] = [
      {
        feed: [
          { id: 'p2', name: 'Bob', tags: ['customer'] },
          { id: 'p2', name: 'Bob', tags: ['customer'] },
        ],
        tasks: [{ person: 'p2', letters: ['a', 'b'], title: 'Call' }],
        renames: [],
      },
      {
        feed: [
          { id: 'p2', name: 'Robert', tags: [] },
          { id: 'p2', name: 'Robert', tags: ['customer'] },
        ],
        tasks: [{ person: 'p2', letters: ['b'], title: 'Call' }],
        renames: [],
      },
    ];
    for (const batched of [false, true]) {
      const { world, outcome } = await play(rounds, { ...sequential, pageSize: 2 }, batched);
      // Written once (the second record of each page is no start), then p2-a pruned once.
      expect([...(world.dst.get('subtasks')?.values() ?? [])]).toEqual([{ id: 'p2-b', title: 'Call' }]);
      expect(world.calls.filter((call) => call.startsWith('rows.delete'))).toEqual(['rows.delete d3']);
      expect(outcome.values[1]?.[1]).toBe('["p2-b"]');
    }
  });
});
