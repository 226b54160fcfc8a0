import type { StoredContact } from './model.js';
import { SortedContacts } from './sorted-contacts.js';

interface PendingChange {
  readonly visibleAt: number;
  readonly id: string;
  /** The contact as it will be indexed; undefined removes it. */
  readonly contact: StoredContact | undefined;
}

/**
 * What search (and the deprecated list) sees of one location. Like the live API's search cluster it can lag the
 * primary store by `lagMs`: a change becomes visible only once its time has come, in the order it was made.
 */
export class SearchIndex {
  private readonly byId = new Map<string, StoredContact>();
  readonly byAdded = new SortedContacts('addedMs');
  readonly byUpdated = new SortedContacts('updatedMs');
  private readonly pending: PendingChange[] = [];
  private pendingHead = 0;

  constructor(private readonly lagMs: number) {}

  /** Indexes seed data in one go (sorting once instead of inserting one by one). */
  load(contacts: readonly StoredContact[]): void {
    for (const contact of contacts) this.byId.set(contact.id, contact);
    const copies = [...this.byId.values()];
    this.byAdded.load(copies);
    this.byUpdated.load(copies);
  }

  /** Records a created or changed contact (a stored version, never changed later); visible now or after the lag. */
  put(contact: StoredContact, now: number): void {
    this.enqueue({ visibleAt: now + this.lagMs, id: contact.id, contact });
  }

  delete(id: string, now: number): void {
    this.enqueue({ visibleAt: now + this.lagMs, id, contact: undefined });
  }

  /** Applies every change whose time has come; call before reading. */
  catchUp(now: number): void {
    while (this.pendingHead < this.pending.length) {
      const change = this.pending[this.pendingHead];
      if (change === undefined || change.visibleAt > now) break;
      this.apply(change);
      this.pendingHead += 1;
    }
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  get(id: string): StoredContact | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.byId.size;
  }

  private enqueue(change: PendingChange): void {
    if (this.lagMs <= 0) {
      this.apply(change);
      return;
    }
    // Writes without reads in between must not pile up: whatever is due is applied on the way.
    this.catchUp(change.visibleAt - this.lagMs);
    this.pending.push(change);
  }

  private apply(change: PendingChange): void {
    const previous = this.byId.get(change.id);
    const next = change.contact;
    if (previous !== undefined && next !== undefined) {
      this.byId.set(next.id, next);
      if (previous.addedMs !== next.addedMs || !this.byAdded.replace(next)) {
        this.byAdded.remove(previous.id, previous.addedMs);
        this.byAdded.insert(next);
      }
      if (previous.updatedMs !== next.updatedMs || !this.byUpdated.replace(next)) {
        this.byUpdated.remove(previous.id, previous.updatedMs);
        this.byUpdated.insert(next);
      }
      return;
    }
    if (previous !== undefined) {
      this.byAdded.remove(previous.id, previous.addedMs);
      this.byUpdated.remove(previous.id, previous.updatedMs);
      this.byId.delete(change.id);
    }
    if (change.contact !== undefined) {
      this.byId.set(change.id, change.contact);
      this.byAdded.insert(change.contact);
      this.byUpdated.insert(change.contact);
    }
  }
}
