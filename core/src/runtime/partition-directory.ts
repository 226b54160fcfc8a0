import type { ConnectorDef, PartitionDef } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { HttpStats } from '../contract/http.js';
import type { ConnectionSpec } from '../contract/pipeline.js';
import type { Store } from '../contract/store.js';
import { connectorSchemaValidators } from '../config/schema-validators.js';
import { FerryError } from '../errors/ferry-error.js';
import { lookUpConnection } from './connection-lookup.js';
import type { ConnectionPartition } from './connection-partition.js';
import { createContextFactory, type ContextFactory, type ContextFactoryOptions } from './context-factory.js';

/** What building contexts for pipeline units needs: a context factory's options, with the whole store. */
export type UnitRuntime = Omit<ContextFactoryOptions, 'partitions' | 'store'> & { readonly store: Store };

/**
 * The partitions of a project's connections, listed once per directory: those ferry.yaml lists, or those the
 * connector discovers (`partitions: discover`) through the connection's own context. Discovered partitions may
 * carry credentials that call through that context (GHL location tokens minted with the agency token), so the
 * directory stays open while their units run; `close` ends it.
 *
 * It also holds the contexts of unpartitioned connections that the units of a partitioned pipeline share: the
 * partitions running side by side write through one destination (one SQLite warehouse connection, one client).
 */
export interface PartitionDirectory {
  /** Undefined when the connection is not partitioned. */
  partitionsOf(connection: string): Promise<readonly ConnectionPartition[] | undefined>;
  /** The context of an unpartitioned connection, shared by every unit that runs with this directory. */
  sharedContext(connection: string): ConnectorContext;
  /** HTTP counters of the shared contexts (and of discovery). */
  stats(): Record<string, HttpStats>;
  close(): Promise<void>;
}

export function createPartitionDirectory(runtime: UnitRuntime): PartitionDirectory {
  const lists = new Map<string, Promise<readonly ConnectionPartition[] | undefined>>();
  let factory: ContextFactory | undefined;

  async function discover(spec: ConnectionSpec, connector: ConnectorDef): Promise<readonly ConnectionPartition[]> {
    if (connector.partitions === undefined) {
      throw new FerryError('PARTITIONS_UNSUPPORTED', `connector '${connector.name}' cannot discover partitions (connection '${spec.name}')`, {
        hint: `list the partitions of '${spec.name}' in ferry.yaml instead of \`partitions: discover\``,
        details: { connection: spec.name, connector: connector.name },
      });
    }
    factory ??= createContextFactory(runtime);
    const found = await connector.partitions(factory.context(spec.name));
    const partitions = checkedPartitions(spec, connector, found);
    runtime.log.info({ connection: spec.name, partitions: partitions.length }, 'partitions discovered');
    return partitions;
  }

  function list(connection: string): Promise<readonly ConnectionPartition[] | undefined> {
    const { spec, connector } = lookUpConnection(runtime.project, runtime.registry, connection);
    const declared = spec.partitions;
    if (declared === undefined) return Promise.resolve(undefined);
    if (declared === 'discover') return discover(spec, connector);
    return Promise.resolve(
      declared.map((partition) => ({
        connection,
        id: partition.id,
        ...(partition.label === undefined ? {} : { label: partition.label }),
        config: partition.config,
        ...(partition.auth === undefined ? {} : { auth: partition.auth }),
      })),
    );
  }

  return {
    sharedContext(connection) {
      factory ??= createContextFactory(runtime);
      return factory.context(connection);
    },
    stats: () => factory?.stats() ?? {},
    partitionsOf(connection) {
      let listed = lists.get(connection);
      if (listed === undefined) {
        listed = list(connection);
        lists.set(connection, listed);
      }
      return listed;
    },
    async close() {
      await factory?.close();
    },
  };
}

/** Discovered partitions must have unique, non-empty ids and make a config the connector accepts. */
function checkedPartitions(spec: ConnectionSpec, connector: ConnectorDef, found: readonly PartitionDef[]): ConnectionPartition[] {
  const invalid = (why: string): FerryError =>
    new FerryError('PARTITIONS_INVALID', `connector '${connector.name}' discovered an unusable partition for connection '${spec.name}': ${why}`, {
      hint: `this is a defect of connector '${connector.name}' (or the API answered unexpectedly): list the partitions in ferry.yaml meanwhile`,
      details: { connection: spec.name, systemic: true },
    });
  const validate = connectorSchemaValidators(connector.configSchema).coerce;
  const seen = new Set<string>();
  return found.map((partition) => {
    if (typeof partition.id !== 'string' || partition.id === '') throw invalid('a partition has no id');
    if (seen.has(partition.id)) throw invalid(`partition '${partition.id}' is listed twice`);
    seen.add(partition.id);
    const config = { ...spec.config, ...partition.config };
    if (!validate(config)) {
      const problems = (validate.errors ?? []).map((error) => `${error.instancePath === '' ? 'config' : error.instancePath.slice(1)} ${error.message ?? 'is invalid'}`);
      throw invalid(`the config of partition '${partition.id}' ${problems.join('; ')}`);
    }
    return {
      connection: spec.name,
      id: partition.id,
      ...(partition.label === undefined ? {} : { label: partition.label }),
      config: partition.config ?? {},
      ...(partition.token === undefined ? {} : { token: partition.token }),
    };
  });
}
