import type { DeadLetterRetry, KeyValueWrite, LinkKey, LinkWrite } from '../../contract/index.js';

/**
 * A batch's rows as the parallel arrays the PostgreSQL statements unnest. One statement cannot upsert the same
 * row twice, so rows that repeat are split or folded here the way SQLite's row-by-row commit would settle them.
 */

function linkKeyOf(key: LinkKey): string {
  return JSON.stringify([key.sourceConnection, key.sourceStream, key.sourceId, key.targetConnection, key.targetEntity]);
}

/** The five key columns of the links, as five arrays. */
export function linkKeyArrays(keys: readonly LinkKey[]): string[][] {
  return [
    keys.map((key) => key.sourceConnection),
    keys.map((key) => key.sourceStream),
    keys.map((key) => key.sourceId),
    keys.map((key) => key.targetConnection),
    keys.map((key) => key.targetEntity),
  ];
}

function byKey(a: LinkWrite, b: LinkWrite): number {
  return compareText(linkKeyOf(a), linkKeyOf(b));
}

/**
 * Splits the writes, in their order, into groups in which each link appears once: each group is one upsert
 * statement, and a later write of a link (another pipeline, or a new target that forgets the old writes) lands
 * after the earlier one, as it does row by row. Within a group the links are sorted by key, so concurrent
 * batches lock shared links in the same order and do not deadlock.
 */
export function groupLinkWrites(links: readonly LinkWrite[]): LinkWrite[][] {
  const groups: LinkWrite[][] = [];
  let group: LinkWrite[] = [];
  let seen = new Set<string>();
  for (const link of links) {
    const key = linkKeyOf(link);
    if (seen.has(key)) {
      groups.push(group);
      group = [];
      seen = new Set();
    }
    seen.add(key);
    group.push(link);
  }
  if (group.length > 0) groups.push(group);
  return groups.map((writes) => writes.sort(byKey));
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The last write of each (namespace, key), what row-by-row upserts would leave; sorted, for the same lock order everywhere. */
export function lastValueWrites(values: readonly KeyValueWrite[]): KeyValueWrite[] {
  const last = new Map<string, KeyValueWrite>();
  for (const entry of values) last.set(JSON.stringify([entry.namespace, entry.key]), entry);
  return [...last.entries()].sort(([left], [right]) => compareText(left, right)).map(([, entry]) => entry);
}

/** The last retry of each dead letter, by id. */
export function lastRetries(retries: readonly DeadLetterRetry[]): DeadLetterRetry[] {
  const last = new Map<number, DeadLetterRetry>();
  for (const retry of retries) last.set(retry.id, retry);
  return [...last.values()].sort((left, right) => left.id - right.id);
}
