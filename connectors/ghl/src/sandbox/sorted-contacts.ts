import type { StoredContact } from './model.js';

/** Which timestamp a sorted list is ordered by; ties are broken by id so the order is total. */
export type TimeKey = 'addedMs' | 'updatedMs';

/**
 * Contacts kept sorted by (timestamp, id): binary search finds a cursor or a range bound in O(log n), so
 * searchAfter paging and `range` filters never scan the whole location.
 */
export class SortedContacts {
  readonly entries: StoredContact[] = [];

  constructor(readonly key: TimeKey) {}

  /** First index whose (time, id) is >= the given one. */
  lowerBound(time: number, id: string = ''): number {
    return this.firstIndexAfter(time, id, false);
  }

  /** First index whose (time, id) is > the given one. */
  upperBound(time: number, id: string = '\uffff'): number {
    return this.firstIndexAfter(time, id, true);
  }

  /** Binary search for the first index whose (time, id) is above the given one, or (not `pastEqual`) not below it. */
  private firstIndexAfter(time: number, id: string, pastEqual: boolean): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const entry = this.entries[mid];
      if (entry === undefined) break;
      const t = entry[this.key];
      if (t < time || (t === time && (entry.id < id || (pastEqual && entry.id === id)))) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Replaces the content with these contacts, sorted once. */
  load(contacts: readonly StoredContact[]): void {
    const key = this.key;
    this.entries.length = 0;
    for (const contact of contacts) this.entries.push(contact);
    this.entries.sort((a, b) => a[key] - b[key] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  insert(contact: StoredContact): void {
    this.entries.splice(this.lowerBound(contact[this.key], contact.id), 0, contact);
  }

  /** Swaps in a new version of an entry whose sort key did not change. */
  replace(contact: StoredContact): boolean {
    const at = this.lowerBound(contact[this.key], contact.id);
    if (this.entries[at]?.id !== contact.id) return false;
    this.entries[at] = contact;
    return true;
  }

  /** Removes the entry with this contact's id at this time (the time it was inserted with). */
  remove(id: string, time: number): void {
    const at = this.lowerBound(time, id);
    if (this.entries[at]?.id === id) this.entries.splice(at, 1);
  }

  get length(): number {
    return this.entries.length;
  }
}
