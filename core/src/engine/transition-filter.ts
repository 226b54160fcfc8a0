import type { JsonRecord } from '../contract/json-schema.js';
import type { KeyValueWrite, Store } from '../contract/store.js';
import type { CompiledPredicate } from '../fieldmap/index.js';

/** kv namespace of what each source record looked like last time (`1`: it passed `became`). */
export const BECAME_NAMESPACE_PREFIX = 'became:';

/**
 * `when: { became: <expression> }`: passes only records that pass the expression now and did not the last time
 * they were seen (a record seen for the first time passing counts). The verdict of each record is remembered in the
 * store's kv area, committed with the batch that settles the record, so that a record whose write never landed is
 * judged again on the next run.
 */
export class TransitionFilter {
  readonly #predicate: CompiledPredicate;
  readonly #store: Store;
  readonly #namespace: string;
  readonly #idOf: (record: JsonRecord) => string | undefined;
  /** The latest verdict of each record this run: a second record of the same id compares against it. */
  readonly #seen = new Map<string, boolean>();
  /** Verdicts that differ from the stored one, waiting for their record to settle. */
  readonly #pending = new WeakMap<JsonRecord, KeyValueWrite>();

  constructor(options: { predicate: CompiledPredicate; store: Store; pipeline: string; idOf: (record: JsonRecord) => string | undefined }) {
    this.#predicate = options.predicate;
    this.#store = options.store;
    this.#namespace = `${BECAME_NAMESPACE_PREFIX}${options.pipeline}`;
    this.#idOf = options.idOf;
  }

  get isAsync(): boolean {
    return this.#predicate.isAsync;
  }

  get expression(): string {
    return this.#predicate.expression;
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

  #judge(record: JsonRecord, now: boolean): boolean {
    const id = this.#idOf(record);
    // Without an id nothing can be remembered: a passing record always counts as a start.
    if (id === undefined) return now;
    const stored = this.#store.getValue(this.#namespace, id) === '1';
    const before = this.#seen.get(id) ?? stored;
    this.#seen.set(id, now);
    if (now !== stored) this.#pending.set(record, { namespace: this.#namespace, key: id, value: now ? '1' : '0' });
    else this.#pending.delete(record);
    return now && !before;
  }
}
