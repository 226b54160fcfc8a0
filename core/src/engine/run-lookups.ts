import type { BatchCommit, LinkKey, LinkRow, Store } from '../contract/store.js';

/** What a table of answers is looked up by, besides the id: the fields every key of one batched call shares. */
function groupOf(...fields: readonly string[]): string {
  return JSON.stringify(fields);
}

function sameKey(link: LinkKey, key: LinkKey): boolean {
  return (
    link.sourceId === key.sourceId &&
    link.sourceStream === key.sourceStream &&
    link.sourceConnection === key.sourceConnection &&
    link.targetEntity === key.targetEntity &&
    link.targetConnection === key.targetConnection
  );
}

/**
 * The store's answers for one kind of look-up and one group (one link stream and entity, one namespace), by id,
 * oldest first. Bounded: past its capacity the oldest answers go, and asking for them again costs a store call.
 */
class AnswerTable<Answer> {
  readonly answers = new Map<string, Answer | undefined>();

  constructor(readonly capacity: () => number) {}

  has(id: string): boolean {
    return this.answers.has(id);
  }

  get(id: string): Answer | undefined {
    return this.answers.get(id);
  }

  set(id: string, answer: Answer | undefined): void {
    // Re-inserted at the end: the newest answer is the last to go.
    this.answers.delete(id);
    this.answers.set(id, answer);
    const capacity = this.capacity();
    while (this.answers.size > capacity) {
      const oldest = this.answers.keys().next();
      if (oldest.done === true) break;
      this.answers.delete(oldest.value);
    }
  }
}

/** One group of `getLink` answers, bound once by the code that asks it (the pipeline's links, one child stream's). */
export interface LinkLookup {
  /** Asks the store for these ids' links in one call (when it can), replacing what was known of them. */
  prefetch(ids: Iterable<string>): void;
  /** As `prefetch`, for the ids not known yet. */
  prefetchMissing(ids: Iterable<string>): void;
  /** True when the link of this id is known here (no store call to read it). */
  has(id: string): boolean;
  /** The link of this id, as `Store.getLink` would answer now. */
  get(id: string): LinkRow | undefined;
  /** The whole link key of this id (to write or remove the link). */
  keyOf(id: string): LinkKey;
}

/** One group of `findLinkByTarget` or `findLinkFrom` answers: links TO records of one entity. */
export interface TargetLookup {
  prefetch(targetIds: Iterable<string>): void;
  get(targetId: string): LinkRow | undefined;
}

/** One namespace of `getValue` answers. */
export interface ValueLookup {
  prefetch(keys: Iterable<string>): void;
  /** True when the value of this key is known here (no store call to read it). */
  has(key: string): boolean;
  get(key: string): string | undefined;
}

export interface RunLookupsOptions {
  readonly store: Store;
  /** The pipeline whose writes `getLink` answers with (hash, content). */
  readonly pipeline: string;
  /** Answers kept per group at least; a group grows to hold twice the largest prefetch. */
  readonly capacity: number;
}

function uniqueOf(ids: Iterable<string>): string[] {
  return [...new Set(ids)];
}

/**
 * The store as one run reads it: the look-ups the engine makes for each record (links, echoes, remembered values)
 * are asked for a whole page in one batched store call (`getLinks`, `findLinksByTarget`, `findLinksFrom`,
 * `getValues`, when the store has them), and each record then reads its answer here. Every commit of the run goes
 * through `commitBatch` here, which forgets the answers the commit may have changed, so an answer read here is the
 * one the store itself would give at that moment — a later record sees an earlier record's committed link or value,
 * exactly as with one store call per record. Writes of other processes are seen as of the page's look-up, as
 * before they were seen as of the record's (the same race, over a page).
 */
export class RunLookups {
  readonly #store: Store;
  readonly #pipeline: string;
  #capacity: number;
  readonly #links = new Map<string, { readonly key: LinkKey; readonly table: AnswerTable<LinkRow> }>();
  /** findLinkByTarget answers by (targetConnection, targetEntity). */
  readonly #byTarget = new Map<string, AnswerTable<LinkRow>>();
  /** findLinkFrom answers by (sourceConnection, targetConnection, targetEntity). */
  readonly #from = new Map<string, AnswerTable<LinkRow>>();
  readonly #values = new Map<string, AnswerTable<string>>();
  readonly #listeners: ((batch: BatchCommit) => void)[] = [];
  readonly #capacityOf = (): number => this.#capacity;

  constructor(options: RunLookupsOptions) {
    this.#store = options.store;
    this.#pipeline = options.pipeline;
    this.#capacity = Math.max(1, options.capacity);
  }

  /** The run's links of one source stream to one destination entity (the key without its source id). */
  links(group: Omit<LinkKey, 'sourceId'>): LinkLookup {
    const name = groupOf(group.sourceConnection, group.sourceStream, group.targetConnection, group.targetEntity);
    let found = this.#links.get(name);
    if (found === undefined) {
      const key: LinkKey = { sourceConnection: group.sourceConnection, sourceStream: group.sourceStream, sourceId: '', targetConnection: group.targetConnection, targetEntity: group.targetEntity };
      found = { key, table: new AnswerTable<LinkRow>(this.#capacityOf) };
      this.#links.set(name, found);
    }
    const { key, table } = found;
    const keyOf = (sourceId: string): LinkKey => ({ ...key, sourceId });
    const store = this.#store;
    const getLinks = store.getLinks?.bind(store);
    const batch = getLinks === undefined ? undefined : (ids: readonly string[]) => getLinks(ids.map(keyOf), this.#pipeline);
    const fetch = (ids: readonly string[]): void => this.#fill(table, ids, batch);
    return {
      keyOf,
      prefetch: (ids) => fetch(uniqueOf(ids)),
      prefetchMissing: (ids) => fetch(uniqueOf(ids).filter((id) => !table.has(id))),
      has: (id) => table.has(id),
      get: (id) => (table.has(id) ? table.get(id) : store.getLink(keyOf(id), this.#pipeline)),
    };
  }

  /** Links to records of one entity (`findLinkByTarget`): the echo guard's, and `requireLink`'s content check. */
  byTarget(targetConnection: string, targetEntity: string): TargetLookup {
    const table = this.#table(this.#byTarget, groupOf(targetConnection, targetEntity));
    const store = this.#store;
    const findLinks = store.findLinksByTarget?.bind(store);
    return {
      prefetch: (targetIds) => this.#fill(table, uniqueOf(targetIds), findLinks === undefined ? undefined : (ids) => findLinks(targetConnection, targetEntity, ids)),
      get: (targetId) => (table.has(targetId) ? table.get(targetId) : store.findLinkByTarget(targetConnection, targetEntity, targetId)),
    };
  }

  /**
   * Links to records of one entity from one source connection (`findLinkFrom`); undefined when the store cannot
   * say (it has no `findLinkFrom`).
   */
  from(sourceConnection: string, targetConnection: string, targetEntity: string): TargetLookup | undefined {
    const store = this.#store;
    if (store.findLinkFrom === undefined) return undefined;
    const table = this.#table(this.#from, groupOf(sourceConnection, targetConnection, targetEntity));
    const findLinks = store.findLinksFrom?.bind(store);
    return {
      prefetch: (targetIds) => this.#fill(table, uniqueOf(targetIds), findLinks === undefined ? undefined : (ids) => findLinks(sourceConnection, targetConnection, targetEntity, ids)),
      get: (targetId) => (table.has(targetId) ? table.get(targetId) : store.findLinkFrom?.(sourceConnection, targetConnection, targetEntity, targetId)),
    };
  }

  /** Key/value entries of one namespace (`getValue`). */
  values(namespace: string): ValueLookup {
    const table = this.#table(this.#values, namespace);
    const store = this.#store;
    const getValues = store.getValues?.bind(store);
    return {
      prefetch: (keys) => this.#fill(table, uniqueOf(keys), getValues === undefined ? undefined : (asked) => getValues(namespace, asked)),
      has: (key) => table.has(key),
      get: (key) => (table.has(key) ? table.get(key) : store.getValue(namespace, key)),
    };
  }

  /** Called after each commit of the run, with what it committed (TransitionFilter forgets what the store now holds). */
  onCommit(listener: (batch: BatchCommit) => void): void {
    this.#listeners.push(listener);
  }

  /** Commits through the store, then forgets every answer the batch may have changed. */
  commitBatch(batch: BatchCommit): void {
    this.#store.commitBatch(batch);
    this.#forget(batch);
    for (const listener of this.#listeners) listener(batch);
  }

  #forget(batch: BatchCommit): void {
    const changed: LinkKey[] = [...batch.links, ...(batch.unlinks ?? [])];
    if (changed.length > 0) {
      for (const key of changed) {
        this.#links.get(groupOf(key.sourceConnection, key.sourceStream, key.targetConnection, key.targetEntity))?.table.answers.delete(key.sourceId);
      }
      // A written link is now the latest to its target; a moved or removed one may have been the latest to its old one.
      for (const link of batch.links) this.#byTarget.get(groupOf(link.targetConnection, link.targetEntity))?.answers.delete(link.targetId);
      for (const link of batch.links) this.#from.get(groupOf(link.sourceConnection, link.targetConnection, link.targetEntity))?.answers.delete(link.targetId);
      const changedIds = new Set(changed.map((key) => key.sourceId));
      for (const tables of [this.#byTarget, this.#from]) {
        for (const table of tables.values()) {
          for (const [id, answer] of table.answers) {
            if (answer !== undefined && changedIds.has(answer.sourceId) && changed.some((key) => sameKey(answer, key))) table.answers.delete(id);
          }
        }
      }
    }
    for (const entry of batch.values ?? []) this.#values.get(entry.namespace)?.answers.delete(entry.key);
  }

  /**
   * Asks the store for these ids in one batched call and keeps the answers (in the order asked); nothing when the
   * store has no batched form of the look-up (each record then asks on its own).
   */
  #fill<Answer>(table: AnswerTable<Answer>, ids: readonly string[], batch: ((ids: readonly string[]) => (Answer | undefined)[]) | undefined): void {
    if (batch === undefined || ids.length === 0) return;
    this.reserve(ids.length * 2);
    const answers = batch(ids);
    ids.forEach((id, index) => table.set(id, answers[index]));
  }

  #table<Answer>(tables: Map<string, AnswerTable<Answer>>, name: string): AnswerTable<Answer> {
    let table = tables.get(name);
    if (table === undefined) {
      table = new AnswerTable<Answer>(this.#capacityOf);
      tables.set(name, table);
    }
    return table;
  }

  /** Keeps at least this many answers per group (what the run holds in flight; a page's look-ups ask twice theirs). */
  reserve(answers: number): void {
    if (answers > this.#capacity) this.#capacity = answers;
  }
}
