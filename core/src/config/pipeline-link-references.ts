import type { ConnectorDef } from '../contract/connector.js';
import type { ProjectSpec } from '../contract/pipeline.js';
import { didYouMeanSuffix } from '../util/did-you-mean.js';
import { ConfigError, displayPath, type ConfigErrorCode } from './config-error.js';
import type { ConnectorRegistry } from './connector-registry.js';
import type { PipelineDocument } from './documents.js';
import { pointerOf } from './json-pointer.js';
import type { LoadedDocument } from './load-document.js';

/**
 * Checks the names the link and child-stream keys use — `from.byId.stream`, `to.link.stream`, `include[].stream`,
 * and the connections and actions of `include[].to` and `include[].prune` — against the project and connectors, so
 * that `ferry validate` reports them at their place in the file before anything runs.
 */
export function checkLinkReferences(doc: PipelineDocument, loaded: LoadedDocument, project: ProjectSpec, registry: ConnectorRegistry): ConfigError[] {
  const problems: ConfigError[] = [];
  const add = (code: ConfigErrorCode, path: readonly (string | number)[], reason: string, hint: string): void => {
    problems.push(new ConfigError(code, loaded.source.positionOf(pointerOf(path), 'value'), reason, { hint }));
  };
  const connectorOf = (connection: string): ConnectorDef | undefined => {
    const spec = Object.hasOwn(project.connections, connection) ? project.connections[connection] : undefined;
    return spec === undefined ? undefined : registry.get(spec.connector);
  };
  const source = connectorOf(doc.from.connection);
  if (source === undefined) return problems; // reported by the main reference check
  const streamNames = source.streams.map((stream) => stream.name);
  const checkStream = (name: string, path: readonly (string | number)[], what: string): void => {
    if (streamNames.includes(name)) return;
    add('CONFIG_UNKNOWN_STREAM', path, `unknown stream '${name}' for connection '${doc.from.connection}'${didYouMeanSuffix(name, streamNames)}`, `${what}; streams of connector '${source.name}': ${streamNames.join(', ')}`);
  };

  if (doc.from.byId !== undefined) checkStream(doc.from.byId.stream, ['from', 'byId', 'stream'], 'byId names a stream that reads one record by id (e.g. contact)');
  if (typeof doc.to.link === 'object') checkStream(doc.to.link.stream, ['to', 'link', 'stream'], 'to.link names the stream whose records hold the link (e.g. contacts)');

  (doc.include ?? []).forEach((include, index) => {
    const children = source.streams.filter((stream) => stream.parent?.stream === doc.from.stream).map((stream) => stream.name);
    const child = source.streams.find((stream) => stream.name === include.stream);
    if (child === undefined) {
      add('CONFIG_UNKNOWN_STREAM', ['include', index, 'stream'], `unknown stream '${include.stream}' for connection '${doc.from.connection}'${didYouMeanSuffix(include.stream, children)}`, `child streams of '${doc.from.stream}': ${children.join(', ') || 'none'}`);
    } else if (child.parent?.stream !== doc.from.stream) {
      add('CONFIG_UNKNOWN_STREAM', ['include', index, 'stream'], `stream '${include.stream}' is not read per '${doc.from.stream}' record`, `include child streams of '${doc.from.stream}': ${children.join(', ') || 'it has none'}`);
    }
    const steps: [readonly (string | number)[], string, string][] = [[['include', index, 'to'], include.to.connection, include.to.action]];
    if (include.prune !== undefined) steps.push([['include', index, 'prune'], include.prune.connection ?? include.to.connection, include.prune.action]);
    for (const [path, connection, action] of steps) {
      const connector = connectorOf(connection);
      if (connector === undefined) {
        const names = Object.keys(project.connections);
        add('CONFIG_UNKNOWN_CONNECTION', [...path, 'connection'], `unknown connection '${connection}'${didYouMeanSuffix(connection, names)}`, `define it under connections: in ${displayPath(project.file)}, or use one of: ${names.join(', ')}`);
        continue;
      }
      const actions = connector.actions.map((candidate) => candidate.name);
      if (!actions.includes(action)) {
        add('CONFIG_UNKNOWN_ACTION', [...path, 'action'], `unknown action '${action}' for connection '${connection}'${didYouMeanSuffix(action, actions)}`, `actions of connector '${connector.name}': ${actions.join(', ')} (\`ferry catalog ${connector.name}\`)`);
      }
    }
  });
  return problems;
}
