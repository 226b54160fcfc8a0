import type { JsonRecord } from '../contract/json-schema.js';
import type { LinkKey, Store } from '../contract/store.js';

/** What `$link` holds in a pipeline's `where` and `map` when `to.link` names another record's link. */
export interface BorrowedLink {
  /** The destination record's id. */
  readonly id: string;
  /** The content last written to it, by any pipeline (e.g. the task's `contactId`). */
  readonly content: JsonRecord | undefined;
}

export interface BorrowedLinksOptions {
  readonly store: Store;
  readonly pipeline: string;
  /** Builds the link key of the other record from the id found in this one. */
  readonly keyOf: (id: string) => LinkKey;
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

  #read(record: JsonRecord): BorrowedLink | undefined {
    const { store, pipeline, keyOf, idOf } = this.#options;
    const id = idOf(record);
    if (id === undefined) return undefined;
    const key = keyOf(id);
    const link = store.getLink(key, pipeline);
    if (link === undefined || link.targetId === '') return undefined;
    const written = store.findLinkByTarget(key.targetConnection, key.targetEntity, link.targetId);
    return { id: link.targetId, content: written?.content ?? link.content };
  }
}
