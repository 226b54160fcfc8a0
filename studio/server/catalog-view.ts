import { converters, resolveStream, type ConnectorDef, type ConnectorRegistry, type ProjectSpec } from '@ferry/core';
import type { ConnectionView, ConverterView, FieldsResponse, FieldView } from '../shared/api-types.js';
import { acceptsOtherFields, fieldsOfSchema } from './schema-fields.js';

/** The connections of a project as the studio lists them, read from the connector objects themselves. */
export function connectionViews(project: ProjectSpec, registry: ConnectorRegistry, descriptions: Readonly<Record<string, string>>): ConnectionView[] {
  return Object.values(project.connections).flatMap((connection): ConnectionView[] => {
    const connector = registry.get(connection.connector);
    if (connector === undefined) return [];
    const description = descriptions[connection.name];
    return [
      {
        name: connection.name,
        connector: connector.name,
        ...(description === undefined ? {} : { description }),
        streams: connector.streams.map((raw) => {
          const stream = resolveStream(raw, connection.config);
          const params = stream.params?.['properties'];
          return {
            name: stream.name,
            description: stream.description,
            primaryKey: stream.primaryKey,
            ...(stream.cursorField === undefined ? {} : { cursorField: stream.cursorField }),
            syncModes: [...stream.syncModes],
            params: params !== null && typeof params === 'object' ? Object.keys(params) : [],
          };
        }),
        actions: connector.actions.map((action) => ({
          name: action.name,
          description: action.description,
          idempotence: action.idempotence,
          options: action.options === undefined ? [] : fieldsOfSchema(action.options, 'target'),
          plan: action.find !== undefined,
        })),
        triggers: connector.triggers.map((trigger) => ({ name: trigger.name, description: trigger.description, kind: trigger.kind, stream: trigger.stream })),
      },
    ];
  });
}

export function converterViews(): ConverterView[] {
  return Object.values(converters).map((info) => ({
    name: info.name,
    description: info.description,
    input: info.input,
    output: info.output,
    ...(info.options === undefined ? {} : { options: info.options }),
  }));
}

function connectorOf(project: ProjectSpec, registry: ConnectorRegistry, connection: string): { connector: ConnectorDef | undefined; config: Readonly<Record<string, unknown>> } {
  const spec = project.connections[connection];
  return { connector: spec === undefined ? undefined : registry.get(spec.connector), config: spec?.config ?? {} };
}

/** The source stream's fields (its schema for this connection's settings) and the destination action's input fields. */
export function fieldViews(
  project: ProjectSpec,
  registry: ConnectorRegistry,
  from: { readonly connection: string; readonly stream: string },
  to: { readonly connection: string; readonly action: string },
): FieldsResponse {
  const source = connectorOf(project, registry, from.connection);
  const rawStream = source.connector?.streams.find((stream) => stream.name === from.stream);
  const stream = rawStream === undefined ? undefined : resolveStream(rawStream, source.config);
  const target = connectorOf(project, registry, to.connection);
  const action = target.connector?.actions.find((candidate) => candidate.name === to.action);
  const targetFields: FieldView[] = action === undefined ? [] : fieldsOfSchema(action.input, 'target');
  return {
    source: stream === undefined ? [] : fieldsOfSchema(stream.schema, 'source'),
    target: targetFields,
    targetOpen: action === undefined || acceptsOtherFields(action.input),
  };
}
