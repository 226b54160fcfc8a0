import type { JsonRecord } from '../contract/json-schema.js';
import type { LinkLookup, TargetLookup } from './run-lookups.js';

/** What `$link` holds in a pipeline's `where` and `map` when `to.link` names another record's link. */
export interface BorrowedLink {
  /** The destination record's id. */
  readonly id: string;
  /** The content last written to it, by any pipeline (e.g. the task's `contactId`). */
  readonly content: JsonRecord | undefined;
}

export interface BorrowedLinksOptions {
  /** The links of the other records (by the id found in this one): the pipeline's own link table. */
  readonly links: LinkLookup;
  /** The latest link to each destination record, with the content last written to it by any pipeline. */
  readonly written: TargetLookup;
  readonly idOf: (record: JsonRecord) => string | undefined;
}

/**
 * The link of ANOTHER source record that a step acts through (`to: { link: { stream: contacts, id: contact_id,
 * entity: tasks } }`: the task the contact's lead flow created), looked up once per record and shared by `where`,
 * `map` (as `$link`) and the write.
 */
export class BorrowedLinks {
  readonly #options: BorrowedLinksOptions;
  readonly #found = new WeakMap<JsonRecord, BorrowedLink | null>();

  constructor(options: BorrowedLinksOptions) {
    this.#options = options;
  }

  /** JSONata variables for the record: `$link` (null when there is none). */
  readonly vars = (record: JsonRecord): Readonly<Record<string, unknown>> => ({ link: this.lookup(record) ?? null });

  lookup(record: JsonRecord): BorrowedLink | undefined {
    const known = this.#found.get(record);
    if (known !== undefined) return known ?? undefined;
    const found = this.#read(record);
    this.#found.set(record, found ?? null);
    return found;
  }

  /**
   * The destination records a page's records act through, in two store calls (their links, then what was last
   * written to those records) instead of two per record.
   */
  prefetch(records: readonly JsonRecord[]): void {
    const { links, written, idOf } = this.#options;
    const ids: string[] = [];
    for (const record of records) {
      const id = idOf(record);
      if (id !== undefined) ids.push(id);
    }
    // Usually already known: they are the pipeline's own links, looked up for the page just before.
    links.prefetchMissing(ids);
    const targets: string[] = [];
    for (const id of ids) {
      const link = links.has(id) ? links.get(id) : undefined;
      if (link !== undefined && link.targetId !== '') targets.push(link.targetId);
    }
    written.prefetch(targets);
  }

  #read(record: JsonRecord): BorrowedLink | undefined {
    const { links, written, idOf } = this.#options;
    const id = idOf(record);
    if (id === undefined) return undefined;
    const link = links.get(id);
    if (link === undefined || link.targetId === '') return undefined;
    const last = written.get(link.targetId);
    return { id: link.targetId, content: last?.content ?? link.content };
  }
}
