import type { PartitionToken } from '../contract/connector.js';
import type { ConnectionAuthSpec, ConnectionSpec } from '../contract/pipeline.js';

/** One partition of a connection, listed in ferry.yaml or discovered, as a run applies it. */
export interface ConnectionPartition {
  readonly connection: string;
  readonly id: string;
  readonly label?: string;
  /** Merged over the connection's config. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Replaces the connection's auth (a token of its own, from ferry.yaml). */
  readonly auth?: ConnectionAuthSpec;
  /** A discovered credential (a location token): used instead of any token the auth spec names. */
  readonly token?: PartitionToken;
}

/** The connection as one of its partitions sees it: its config with the partition's merged over, its auth. */
export function partitionView(spec: ConnectionSpec, partition: ConnectionPartition): ConnectionSpec {
  return { ...spec, config: { ...spec.config, ...partition.config }, auth: partition.auth ?? spec.auth };
}
