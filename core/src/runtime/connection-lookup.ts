import type { ConnectorDef } from '../contract/connector.js';
import type { ConnectionSpec, ProjectSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import { didYouMeanSuffix } from '../util/did-you-mean.js';

/** A connection of the project and its installed connector, or a FerryError that suggests the close name. */
export function lookUpConnection(
  project: ProjectSpec,
  registry: ReadonlyMap<string, ConnectorDef>,
  name: string,
): { readonly spec: ConnectionSpec; readonly connector: ConnectorDef } {
  const spec = project.connections[name];
  if (spec === undefined) {
    const known = Object.keys(project.connections);
    throw new FerryError('CONNECTION_UNKNOWN', `no connection '${name}' in ${project.file}${didYouMeanSuffix(name, known)}`, {
      hint: known.length === 0 ? 'add it under `connections:` in ferry.yaml' : `connections: ${known.join(', ')}`,
    });
  }
  const connector = registry.get(spec.connector);
  if (connector === undefined) {
    const known = [...registry.keys()];
    throw new FerryError('CONNECTOR_UNKNOWN', `connection '${name}' uses connector '${spec.connector}', which is not installed${didYouMeanSuffix(spec.connector, known)}`, {
      hint: `installed connectors: ${known.join(', ')}`,
    });
  }
  return { spec, connector };
}
