import type { StoredContact } from './model.js';

function byUpdated(a: StoredContact, b: StoredContact): number {
  return a.updatedMs - b.updatedMs || a.id - b.id;
}

function addTo(index: Map<string, Set<number>>, key: string | null, id: number): void {
  if (key === null || key === '') return;
  let ids = index.get(key);
  if (ids === undefined) index.set(key, (ids = new Set()));
  ids.add(id);
}

function removeFrom(index: Map<string, Set<number>>, key: string | null, id: number): void {
  if (key === null) return;
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}

/**
 * The account's contacts, indexed for the routes that are hot: by id, in `updated_at` order (kept sorted on every
 * change, so a list page is a slice), and by number and lower-cased email for exact searches.
 */
export class ContactStore {
  private readonly byId = new Map<number, StoredContact>();
  /** Sorted by (updatedMs, id). */
  private readonly updatedOrder: StoredContact[] = [];
  private readonly byNumber = new Map<string, Set<number>>();
  private readonly byEmail = new Map<string, Set<number>>();

  get size(): number {
    return this.byId.size;
  }

  get(id: number): StoredContact | undefined {
    return this.byId.get(id);
  }

  /** Ascending id = creation order (ids only grow). */
  inIdOrder(): StoredContact[] {
    return [...this.byId.values()];
  }

  inUpdatedOrder(): readonly StoredContact[] {
    return this.updatedOrder;
  }

  withNumber(number: string): StoredContact[] {
    return [...(this.byNumber.get(number) ?? [])].flatMap((id) => this.byId.get(id) ?? []);
  }

  withEmail(email: string): StoredContact[] {
    return [...(this.byEmail.get(email.toLowerCase()) ?? [])].flatMap((id) => this.byId.get(id) ?? []);
  }

  insert(contact: StoredContact): void {
    this.byId.set(contact.id, contact);
    this.updatedOrder.splice(this.positionFor(contact), 0, contact);
    addTo(this.byNumber, contact.number, contact.id);
    addTo(this.byEmail, contact.email?.toLowerCase() ?? null, contact.id);
  }

  /** Applies a change and keeps every index right (the contact moves to its new place in updated order). */
  change(contact: StoredContact, mutate: (contact: StoredContact) => void): void {
    this.unindex(contact);
    mutate(contact);
    this.updatedOrder.splice(this.positionFor(contact), 0, contact);
    addTo(this.byNumber, contact.number, contact.id);
    addTo(this.byEmail, contact.email?.toLowerCase() ?? null, contact.id);
  }

  delete(contact: StoredContact): void {
    this.unindex(contact);
    this.byId.delete(contact.id);
  }

  private unindex(contact: StoredContact): void {
    const at = this.indexOf(contact);
    if (at >= 0) this.updatedOrder.splice(at, 1);
    removeFrom(this.byNumber, contact.number, contact.id);
    removeFrom(this.byEmail, contact.email?.toLowerCase() ?? null, contact.id);
  }

  /** First position whose contact sorts after `contact`. */
  private positionFor(contact: StoredContact): number {
    let low = 0;
    let high = this.updatedOrder.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.updatedOrder[mid];
      if (other !== undefined && byUpdated(other, contact) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private indexOf(contact: StoredContact): number {
    const at = this.positionFor(contact);
    return this.updatedOrder[at] === contact ? at : this.updatedOrder.indexOf(contact);
  }
}
