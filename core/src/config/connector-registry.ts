import type { ConnectorDef } from '../contract/connector.js';
import { FerryError } from '../errors/ferry-error.js';

/** Connector name -> definition: what the loader resolves `connector:` against. */
export type ConnectorRegistry = ReadonlyMap<string, ConnectorDef>;

/** Builds a registry; two connectors with one name would make `connector:` ambiguous. */
export function createConnectorRegistry(connectors: Iterable<ConnectorDef>): ConnectorRegistry {
  const registry = new Map<string, ConnectorDef>();
  for (const connector of connectors) {
    if (registry.has(connector.name)) {
      throw new FerryError('CONNECTOR_DUPLICATE', `two connectors are named '${connector.name}'`, {
        hint: 'install only one package per connector name',
        details: { connector: connector.name },
      });
    }
    registry.set(connector.name, connector);
  }
  return registry;
}
