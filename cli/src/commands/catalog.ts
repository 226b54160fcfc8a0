import type { Command } from 'commander';
import { FerryError, didYouMeanSuffix, type ConnectorDef, type ConnectorRegistry } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { describeConnector } from '../catalog-model.js';
import { formatCatalog } from '../catalog-format.js';

export function registerCatalogCommand(program: Command, invocation: Invocation): void {
  program
    .command('catalog')
    .description('what each connector offers: streams, actions, triggers, auth, scopes and rate limits')
    .argument('[connector]', 'one connector (default: all)')
    .action(async (connector: string | undefined, _options: unknown, command: Command) =>
      invocation.run(command, (ws) => catalogCommand(ws, connector)),
    );
}

export function findConnector(registry: ConnectorRegistry, name: string): ConnectorDef {
  const connector = registry.get(name);
  if (connector === undefined) {
    throw new FerryError('CONNECTOR_NOT_FOUND', `no connector named '${name}'${didYouMeanSuffix(name, registry.keys())}`, {
      hint: `installed connectors: ${[...registry.keys()].join(', ')}`,
    });
  }
  return connector;
}

function catalogCommand(ws: Workspace, name: string | undefined): ExitCodeValue {
  const connectors = name === undefined ? [...ws.registry.values()] : [findConnector(ws.registry, name)];
  const entries = connectors.map(describeConnector);
  if (ws.options.json) {
    ws.emitJson({ connectors: entries });
    return ExitCode.ok;
  }
  ws.print(entries.map((entry) => formatCatalog(entry).join('\n')).join('\n\n'));
  return ExitCode.ok;
}
