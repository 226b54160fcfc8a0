import type { ConnectorDef } from '../contract/connector.js';
import type { ConnectionSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import { lookUpConnection } from '../runtime/connection-lookup.js';
import type { ConnectionPartition } from '../runtime/connection-partition.js';
import { createPartitionDirectory, type UnitRuntime } from '../runtime/partition-directory.js';

/**
 * Where a webhook delivery's records go, for the pipelines of its connection (they all read it): the whole
 * pipeline (the connection is not partitioned), one partition, nowhere (a partition ferry.yaml does not list:
 * the project does not sync it), or not now (`failed`: tried again later, not before `retryAt` when it is set).
 */
export type DeliveryRoute =
  | { readonly kind: 'unpartitioned' }
  | { readonly kind: 'partition'; readonly partition: string }
  | { readonly kind: 'not-synced'; readonly key: string }
  | { readonly kind: 'failed'; readonly error: unknown; readonly retryAt?: number };

export interface DeliveryPartitionsOptions {
  /** Lists the partitions of connections with `partitions: discover` (through the connection's own context). */
  readonly runtime: UnitRuntime;
  /** Least time between two discoveries of one connection asked for by unknown keys (default 60 s). */
  readonly rediscoverAfterMs?: number;
  readonly now?: () => number;
}

/** Partition key → partition id, of one connection. */
interface KeyIndex {
  readonly ids: ReadonlyMap<string, string>;
}

/** What is known of one connection's partitions: its last list, the discovery under way, when one last started. */
interface Listing {
  index: KeyIndex | undefined;
  discovering: Promise<KeyIndex> | undefined;
  attemptedAt: number;
}

/** Least time between two discoveries that unknown keys ask for: each is an API call. */
const REDISCOVER_AFTER_MS = 60_000;

/**
 * Routes each delivery of a partitioned connection to its partition by the event's `partitionKey`, before a
 * unit is chosen (a queue worker locks the unit). The keys come from the partitions ferry.yaml lists, or from
 * discovery, whose list is kept: an unknown key discovers again, at most once per `rediscoverAfterMs` and
 * connection, since each discovery is an API call (an app just installed in a location is found that way).
 */
export class DeliveryPartitions {
  readonly #listings = new Map<string, Listing>();
  readonly #rediscoverAfterMs: number;
  readonly #now: () => number;

  constructor(private readonly options: DeliveryPartitionsOptions) {
    this.#rediscoverAfterMs = options.rediscoverAfterMs ?? REDISCOVER_AFTER_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The route of a delivery of `connection` (by `trigger`) whose event names the partition `key`. Never rejects. */
  async route(connection: string, trigger: string, key: string | undefined): Promise<DeliveryRoute> {
    try {
      const { spec, connector } = lookUpConnection(this.options.runtime.project, this.options.runtime.registry, connection);
      const declared = spec.partitions;
      if (declared === undefined) return { kind: 'unpartitioned' };
      if (key === undefined) return { kind: 'failed', error: partitionRequired(spec, connector, trigger) };
      if (declared !== 'discover') {
        const id = this.#listed(spec, connector).ids.get(key);
        return id === undefined ? { kind: 'not-synced', key } : { kind: 'partition', partition: id };
      }
      const listing = this.#listing(spec.name);
      let index = listing.index ?? (await this.#discover(spec, connector, undefined));
      let id = index.ids.get(key);
      // A discovery under way may bring the key; else one may start once the last is old enough.
      if (id === undefined && (listing.discovering !== undefined || this.#now() >= listing.attemptedAt + this.#rediscoverAfterMs)) {
        index = await this.#discover(spec, connector, index);
        id = index.ids.get(key);
      }
      if (id !== undefined) return { kind: 'partition', partition: id };
      return { kind: 'failed', error: partitionUnknown(spec, connector, key, this.#rediscoverAfterMs), retryAt: listing.attemptedAt + this.#rediscoverAfterMs };
    } catch (error) {
      return { kind: 'failed', error };
    }
  }

  #listed(spec: ConnectionSpec, connector: ConnectorDef): KeyIndex {
    const listing = this.#listing(spec.name);
    if (listing.index === undefined) {
      const listed = spec.partitions === undefined || spec.partitions === 'discover' ? [] : spec.partitions;
      listing.index = { ids: keysOf(spec, connector, listed) };
    }
    return listing.index;
  }

  /** Discovers again unless someone did since `seen` was taken; concurrent callers share one discovery. */
  #discover(spec: ConnectionSpec, connector: ConnectorDef, seen: KeyIndex | undefined): Promise<KeyIndex> {
    const listing = this.#listing(spec.name);
    if (listing.discovering !== undefined) return listing.discovering;
    if (listing.index !== undefined && listing.index !== seen) return Promise.resolve(listing.index);
    // A failed discovery counts too: an API that fails is not asked again for every delivery.
    listing.attemptedAt = this.#now();
    const discovering = this.#discoverNow(spec, connector)
      .then((index) => {
        listing.index = index;
        return index;
      })
      .finally(() => {
        listing.discovering = undefined;
      });
    listing.discovering = discovering;
    return discovering;
  }

  async #discoverNow(spec: ConnectionSpec, connector: ConnectorDef): Promise<KeyIndex> {
    const directory = createPartitionDirectory(this.options.runtime);
    try {
      const partitions = (await directory.partitionsOf(spec.name)) ?? [];
      return { ids: keysOf(spec, connector, partitions) };
    } finally {
      // Only ids and keys are kept: the runs that need the partitions' credentials take them again.
      await directory.close();
    }
  }

  #listing(connection: string): Listing {
    let listing = this.#listings.get(connection);
    if (listing === undefined) {
      listing = { index: undefined, discovering: undefined, attemptedAt: Number.NEGATIVE_INFINITY };
      this.#listings.set(connection, listing);
    }
    return listing;
  }
}

/** Each partition's key (`ConnectorDef.partitionKey` of its merged config, else its id) → its id; the first wins. */
function keysOf(
  spec: ConnectionSpec,
  connector: ConnectorDef,
  partitions: readonly Pick<ConnectionPartition, 'id' | 'config'>[],
): ReadonlyMap<string, string> {
  const ids = new Map<string, string>();
  for (const partition of partitions) {
    const key = connector.partitionKey?.({ ...spec.config, ...partition.config }) ?? partition.id;
    if (!ids.has(key)) ids.set(key, partition.id);
  }
  return ids;
}

function partitionRequired(spec: ConnectionSpec, connector: ConnectorDef, trigger: string): FerryError {
  return new FerryError('PARTITION_REQUIRED', `a ${trigger} delivery of connection '${spec.name}' does not say which partition it belongs to, and the connection is partitioned`, {
    hint: `connector '${connector.name}' must set partitionKey on the events of partitioned connections; if the delivery is not for '${spec.name}', point its sender at the connection it belongs to`,
    details: { connection: spec.name, trigger },
  });
}

function partitionUnknown(spec: ConnectionSpec, connector: ConnectorDef, key: string, rediscoverAfterMs: number): FerryError {
  const often = rediscoverAfterMs === REDISCOVER_AFTER_MS ? 'once a minute' : `once every ${Math.max(1, Math.round(rediscoverAfterMs / 1000))} s`;
  return new FerryError('PARTITION_UNKNOWN', `a delivery of connection '${spec.name}' is for '${key}', which is not among its discovered partitions`, {
    hint: `'${key}' is not among the partitions connector '${connector.name}' discovered (e.g. the locations where the app is installed): an app installed there just now is found by the next discovery (at most ${often}) and the delivery is tried again; check the app's installations if it keeps failing`,
    details: { connection: spec.name, partitionKey: key },
  });
}
