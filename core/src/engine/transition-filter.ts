import type { JsonRecord } from '../contract/json-schema.js';
import type { BatchCommit, KeyValueWrite } from '../contract/store.js';
import type { CompiledPredicate } from '../fieldmap/index.js';
import type { RunLookups, ValueLookup } from './run-lookups.js';

/** kv namespace of what each source record looked like last time (`1`: it passed `became`). */
export const BECAME_NAMESPACE_PREFIX = 'became:';

/** What this run knows of one record id that the store cannot tell yet. */
interface Seen {
  /** The latest verdict of a record with this id: a later record of the id compares against it. */
  verdict: boolean;
  /** What the store holds for the id, as last read or committed. */
  stored: boolean;
  /** Verdicts of this id judged and not committed yet (waiting for their record to settle, or for the batch). */
  writes: number;
}

/**
 * `when: { became: <expression> }`: passes only records that pass the expression now and did not the last time
 * they were seen (a record seen for the first time passing counts). The verdict of each record is remembered in the
 * store's kv area, committed with the batch that settles the record, so that a record whose write never landed is
 * judged again on the next run. A page's remembered verdicts are read in one store call before it is judged.
 */
export class TransitionFilter {
  readonly #predicate: CompiledPredicate;
  readonly #namespace: string;
  readonly #stored: ValueLookup;
  readonly #idOf: (record: JsonRecord) => string | undefined;
  /**
   * Ids whose latest verdict the store does not hold yet: a verdict still on its way to a commit, or (when records
   * of one id settled out of order) a store value that differs from it. Everything else the store tells, so the
   * map holds about a batch of ids, not one per id of the run.
   */
  readonly #seen = new Map<string, Seen>();
  /** Verdicts that differ from the stored one, waiting for their record to settle. */
  readonly #pending = new WeakMap<JsonRecord, KeyValueWrite>();

  constructor(options: { predicate: CompiledPredicate; lookups: RunLookups; pipeline: string; idOf: (record: JsonRecord) => string | undefined }) {
    this.#predicate = options.predicate;
    this.#namespace = `${BECAME_NAMESPACE_PREFIX}${options.pipeline}`;
    this.#stored = options.lookups.values(this.#namespace);
    this.#idOf = options.idOf;
    options.lookups.onCommit((batch) => this.#committed(batch));
  }

  get isAsync(): boolean {
    return this.#predicate.isAsync;
  }

  get expression(): string {
    return this.#predicate.expression;
  }

  /** The stored verdicts of a page's records, in one store call. */
  prefetch(records: readonly JsonRecord[]): void {
    const ids: string[] = [];
    for (const record of records) {
      const id = this.#idOf(record);
      if (id !== undefined) ids.push(id);
    }
    this.#stored.prefetch(ids);
  }

  /** True when the record starts to pass now. */
  test(record: JsonRecord, vars?: Readonly<Record<string, unknown>>): boolean | Promise<boolean> {
    const verdict = this.#predicate.test(record, vars);
    return verdict instanceof Promise ? verdict.then((now) => this.#judge(record, now)) : this.#judge(record, verdict);
  }

  /** The record was settled (written, unchanged, skipped or dead-lettered): its verdict goes into that batch. */
  settled(record: JsonRecord, commit: (entry: KeyValueWrite) => void): void {
    const entry = this.#pending.get(record);
    if (entry === undefined) return;
    this.#pending.delete(record);
    commit(entry);
  }

  /** How many ids the filter keeps in memory (the rest it reads from the store). */
  get remembered(): number {
    return this.#seen.size;
  }

  #judge(record: JsonRecord, now: boolean): boolean {
    const id = this.#idOf(record);
    // Without an id nothing can be remembered: a passing record always counts as a start.
    if (id === undefined) return now;
    const stored = this.#stored.get(id) === '1';
    const seen = this.#seen.get(id);
    const before = seen?.verdict ?? stored;
    const writes = now !== stored;
    if (writes) this.#pending.set(record, { namespace: this.#namespace, key: id, value: now ? '1' : '0' });
    else this.#pending.delete(record);
    this.#keep(id, { verdict: now, stored, writes: (seen?.writes ?? 0) + (writes ? 1 : 0) });
    return now && !before;
  }

  /** The store holds what the batch wrote: ids with nothing left on the way and a stored verdict are forgotten. */
  #committed(batch: BatchCommit): void {
    for (const entry of batch.values ?? []) {
      if (entry.namespace !== this.#namespace) continue;
      const seen = this.#seen.get(entry.key);
      if (seen === undefined) continue;
      this.#keep(entry.key, { verdict: seen.verdict, stored: entry.value === '1', writes: Math.max(0, seen.writes - 1) });
    }
  }

  #keep(id: string, seen: Seen): void {
    if (seen.writes === 0 && seen.verdict === seen.stored) this.#seen.delete(id);
    else this.#seen.set(id, seen);
  }
}
