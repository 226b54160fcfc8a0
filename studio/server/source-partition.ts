import { FerryError, didYouMeanSuffix, listIds, type ConnectionPartition } from '@ferry/core';
import type { PartitionOption } from '../shared/api-types.js';

function knownIds(partitions: readonly ConnectionPartition[]): string {
  return partitions.length === 0 ? '(none)' : listIds(partitions.map((partition) => partition.id));
}

/**
 * The partition of a source connection the studio samples and plans in: the one asked for, else the first one
 * listed. Undefined for a connection without partitions, which must not be asked for one.
 */
export function chooseSourcePartition(
  connection: string,
  partitions: readonly ConnectionPartition[] | undefined,
  requested: string | undefined,
): ConnectionPartition | undefined {
  if (partitions === undefined) {
    if (requested === undefined) return undefined;
    throw new FerryError('STUDIO_UNKNOWN_PARTITION', `connection '${connection}' has no partitions, so it has no partition '${requested}'`, {
      hint: `sample '${connection}' without choosing a partition`,
      details: { connection, partition: requested },
    });
  }
  if (requested === undefined) {
    const [first] = partitions;
    if (first !== undefined) return first;
    throw new FerryError('STUDIO_NO_PARTITIONS', `connection '${connection}' has no partitions to sample`, {
      hint: `list partitions under '${connection}' in ferry.yaml, or install the app in a location when it uses \`partitions: discover\``,
      details: { connection },
    });
  }
  const found = partitions.find((partition) => partition.id === requested);
  if (found !== undefined) return found;
  const ids = partitions.map((partition) => partition.id);
  throw new FerryError('STUDIO_UNKNOWN_PARTITION', `connection '${connection}' has no partition '${requested}'${didYouMeanSuffix(requested, ids)}`, {
    hint: `pick one of its partitions: ${knownIds(partitions)}`,
    details: { connection, partition: requested },
  });
}

/** A partition as the studio's partition picker lists it (no config, no credentials). */
export function partitionOption(partition: ConnectionPartition): PartitionOption {
  return { id: partition.id, ...(partition.label === undefined ? {} : { label: partition.label }) };
}
