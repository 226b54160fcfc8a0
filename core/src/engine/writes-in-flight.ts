/** Additions before the map is renewed at the least; more when many writes are in flight, so copying stays cheap. */
const RENEW_AFTER = 1024;

/**
 * The writes in flight by source id, so that a record waits for an earlier write of the same id.
 *
 * Why not one Map for the whole run: a Map that takes an entry per record and drops it again rebuilds its table
 * every few hundred records, and V8 allocates each new table in the generation of the one it replaces, while the
 * replaced table still holds the entries it had. Once a table is in the old generation (any full collection during
 * the run moves it there), every later table is too, and the dead ones keep the jobs they held — with their records
 * — reachable until the next full collection. The records then outlive two scavenges and are promoted, thousands per
 * second, and the old generation fills with them up to V8's limit (measured: ~1.8 MB promoted per scavenge instead
 * of ~0.07 MB, from the first full collection on). A fresh Map starts young, so the map is renewed — holding only
 * the writes still in flight — every RENEW_AFTER additions.
 */
export class WritesInFlight<Job> {
  #byId = new Map<string, Job>();
  #added = 0;

  /** The newest write of this id still in flight. */
  get(id: string): Job | undefined {
    return this.#byId.get(id);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  /** Records the newest write of this id (it replaces an earlier one, which it waits for). */
  set(id: string, job: Job): void {
    if (this.#added >= Math.max(RENEW_AFTER, 2 * this.#byId.size)) {
      this.#byId = new Map(this.#byId);
      this.#added = 0;
    }
    this.#added += 1;
    this.#byId.set(id, job);
  }

  /** The write finished: forgotten, unless a later write of the same id replaced it. */
  finished(id: string, job: Job): void {
    if (this.#byId.get(id) === job) this.#byId.delete(id);
  }
}
