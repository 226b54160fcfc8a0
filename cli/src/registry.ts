import { createConnectorRegistry, type ConnectorDef, type ConnectorRegistry } from '@ferry/core';
import { builtinConnectors } from '@ferry/connector-builtin';
import { ghl } from '@ferry/connector-ghl';
import { salesmsg } from '@ferry/connector-salesmsg';

/** Every connector the command knows. Adding one is one line here (and its package in cli/package.json). */
export const installedConnectors: readonly ConnectorDef[] = [...builtinConnectors, ghl, salesmsg];

export function createRegistry(connectors: readonly ConnectorDef[] = installedConnectors): ConnectorRegistry {
  return createConnectorRegistry(connectors);
}
