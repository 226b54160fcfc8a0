import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PipelineSpec } from '../contract/pipeline.js';
import type { Store } from '../contract/store.js';
import { openStore, type OpenedStore } from '../store/index.js';
import { testSchemas } from '../store/postgres/fixtures/test-schemas.js';
import { linkedPipeline, linkedWorld, type LinkedWorld } from './fixtures/linked-world.js';
import { runPipeline } from './run-pipeline.js';

/**
 * On the PostgreSQL store every call is a blocking round trip to its worker thread: the look-ups a run makes must
 * grow with its pages, not its records. Counted on a real store (PostgreSQL on 127.0.0.1, a schema per store).
 */

const schemas = testSchemas('round_trips');
const opened: OpenedStore[] = [];

beforeEach(() => {
  // Commits only at batch boundaries (never the once-a-second one), so that the counts do not depend on the machine.
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
  for (const store of opened.splice(0)) store.close();
});
afterAll(async () => {
  await schemas.dropAll();
});

const LOOK_UPS = ['getLink', 'getLinks', 'findLinkByTarget', 'findLinksByTarget', 'findLinkFrom', 'findLinksFrom', 'getValue', 'getValues'];

/** The store with its calls counted by method; without `batched`, it hides its batched look-ups (one call a record). */
function countedStore(batched = true): { store: Store; calls: Map<string, number> } {
  const real = openStore(schemas.newLocation(), '/');
  opened.push(real);
  const calls = new Map<string, number>();
  const store = new Proxy(real, {
    get(target, property) {
      if (!batched && ['getLinks', 'findLinksByTarget', 'findLinksFrom', 'getValues'].includes(String(property))) return undefined;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as Store;
  return { store, calls };
}

function lookUps(calls: Map<string, number>): number {
  return LOOK_UPS.reduce((sum, method) => sum + (calls.get(method) ?? 0), 0);
}

/** `became`, `skipEchoes` and a linked `then` step; then `to.link` on its tasks and `requireLink` on the way back. */
const leads = linkedPipeline('leads', {
  when: { became: "'customer' in tags" },
  skipEchoes: true,
  // oxlint-disable-next-line unicorn/no-thenable -- the pipeline's follow-up steps
  then: [{ connection: 'dst', action: 'tasks.create', link: true, map: { title: { expr: "'Call ' & name" } } }],
});
const complete = linkedPipeline('complete', {
  to: { connection: 'dst', action: 'rows.update', with: { entity: 'tasks' }, link: { stream: 'people', id: 'id', entity: 'tasks' } },
  map: { done: { const: true } },
});
const back = linkedPipeline('back', {
  from: { connection: 'dst', stream: 'rows', sync: 'full' },
  skipEchoes: true,
  to: { connection: 'src', action: 'people.update', requireLink: true },
  map: { name: 'name' },
});
/** Child streams that prune: what each parent had last time is remembered. */
const withChildren = linkedPipeline('with-children', {
  include: [
    {
      stream: 'person.tasks',
      to: { connection: 'dst', action: 'rows.upsert', with: { entity: 'subtasks' } },
      prune: { connection: 'dst', action: 'rows.delete', with: { entity: 'subtasks' } },
    },
  ],
});

/** `count` people (every other one a customer, two child tasks each) in pages of `pageSize`. */
function world(count: number, pageSize: number): LinkedWorld {
  const made = linkedWorld();
  made.pageSize = pageSize;
  for (let index = 0; index < count; index++) {
    const id = `p${index}`;
    made.people.set(id, { id, name: `Person ${index}`, tags: index % 2 === 0 ? ['customer'] : [] });
    made.tasks.set(id, [
      { id: `${id}-a`, title: 'Call' },
      { id: `${id}-b`, title: 'Mail' },
    ]);
  }
  return made;
}

/** The store's look-ups in each run of the pipelines, in order. */
async function lookUpsPerRun(people: LinkedWorld, store: Store, calls: Map<string, number>, pipelines: readonly PipelineSpec[]): Promise<number[]> {
  const counts: number[] = [];
  for (const pipeline of pipelines) {
    calls.clear();
    const result = await runPipeline(people.options(pipeline, store));
    expect(result.status).toBe('succeeded');
    counts.push(lookUps(calls));
  }
  return counts;
}

describe('store round trips on PostgreSQL', () => {
  it('grow with pages, not records: the same look-ups for 3 pages of 4 people as for 3 pages of 60', async () => {
    const runs = [leads, complete, back, leads];
    const small = countedStore();
    const smallWorld = world(12, 4);
    const few = await lookUpsPerRun(smallWorld, small.store, small.calls, runs);
    const large = countedStore();
    const largeWorld = world(180, 60);
    const many = await lookUpsPerRun(largeWorld, large.store, large.calls, runs);
    expect(many).toEqual(few);
    // A handful per page: links, echoes, verdicts, follow-up links, reverse links, written content.
    for (const count of many) expect(count).toBeLessThanOrEqual(3 * 6);
    // The runs did their work: every customer written with its task, then completed, then skipped as an echo.
    expect(largeWorld.calls.filter((call) => call.startsWith('tasks.create'))).toHaveLength(90);
    expect(largeWorld.calls.filter((call) => call.startsWith('rows.update'))).toHaveLength(90);
    expect(largeWorld.calls.filter((call) => call.startsWith('people.update'))).toHaveLength(0);

    // The same runs with one look-up per record: the count grows with the records.
    const single = countedStore(false);
    const perRecord = await lookUpsPerRun(world(180, 60), single.store, single.calls, runs);
    for (const count of perRecord) expect(count).toBeGreaterThanOrEqual(90);
  });

  it('read unchanged parents and their child streams without a round trip per parent', async () => {
    const runs = [withChildren, withChildren];
    const small = countedStore();
    const [, fewAgain] = await lookUpsPerRun(world(12, 4), small.store, small.calls, runs);
    const commitsFew = small.calls.get('commitBatch') ?? 0;
    const large = countedStore();
    const [, manyAgain] = await lookUpsPerRun(world(180, 60), large.store, large.calls, runs);
    expect(manyAgain).toEqual(fewAgain);
    // Per page: the parents' links, what their children were, those children's links.
    expect(manyAgain).toBe(3 * 3);
    // Nothing changed: one commit for the checkpoint-less run's end at most, none per parent.
    expect(large.calls.get('commitBatch') ?? 0).toBe(commitsFew);
  });
});
