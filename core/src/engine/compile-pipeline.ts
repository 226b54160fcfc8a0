import { resolveStream, type ActionDef, type ActionRequest, type ConnectorDef, type StreamDef } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { FieldMapSpec, PipelineSpec, StepSpec } from '../contract/pipeline.js';
import { FerryError, isFerryError } from '../errors/ferry-error.js';
import { compileFieldMap, compileWhere, type CompiledFieldMap, type CompiledPredicate } from '../fieldmap/index.js';
import { didYouMeanSuffix } from '../util/did-you-mean.js';
import { compileInputValidator, type InputValidator } from './input-validator.js';
import type { RunPipelineOptions } from './run-types.js';
import { compilePipelineLinks, type PipelineLinks } from './pipeline-links.js';
import { compileIncludes, type CompiledInclude } from './child-streams.js';
import { RunLookups } from './run-lookups.js';

/** One destination step (`to`, or a `then` step), resolved and compiled once per run. */
export interface CompiledStep {
  /** `to` or `then[2]`: names the step in errors. */
  readonly label: string;
  readonly connection: string;
  readonly ctx: ConnectorContext;
  readonly action: ActionDef;
  readonly options: Readonly<Record<string, unknown>>;
  readonly match: readonly string[] | undefined;
  /** Undefined: `to` passes the record through unchanged; a `then` step gets an empty input. */
  readonly map: CompiledFieldMap | undefined;
  readonly where: CompiledPredicate | undefined;
  readonly validate: InputValidator;
  /** Entity of the link table this step's writes go under (`tasks` for `tasks.create`). */
  readonly entity: string;
  /** A `then` step whose result is linked to the source record (`link: true`). */
  readonly linkResult: boolean;
}

export interface CompiledPipeline {
  readonly pipeline: PipelineSpec;
  readonly sourceConnection: string;
  readonly stream: StreamDef;
  readonly sourceCtx: ConnectorContext;
  /** What an action learns about the source (a warehouse derives its table from it). */
  readonly source: ActionRequest['source'];
  readonly where: CompiledPredicate | undefined;
  /** Undefined when the pipeline has no map: records reach the action as read. */
  readonly map: CompiledFieldMap | undefined;
  readonly to: CompiledStep;
  /** The pipeline's `then` steps, in order. */
  readonly followUps: readonly CompiledStep[];
  /** Destination entity of the link table (`contacts` for `contacts.upsert`, or the warehouse table). */
  readonly targetEntity: string;
  /** Child streams read and written for each parent record (`include:`). */
  readonly includes: readonly CompiledInclude[];
  /** How records are keyed in the link table, and the link rules of the pipeline (`to.link`, `requireLink`, `when`). */
  readonly links: PipelineLinks;
  /** The run's reads of the store, a page at a time, and its commits (which keep those reads exact). */
  readonly lookups: RunLookups;
}

type CompileOptions = Pick<RunPipelineOptions, 'pipeline' | 'registry' | 'connections' | 'context' | 'store'>;

/** `pipelines/x.yaml:12:9: ` for a key path the loader recorded, else the file name. */
function at(pipeline: PipelineSpec, keyPath: string): string {
  const position = pipeline.positions[keyPath];
  return position === undefined ? `${pipeline.file}: ` : `${position.file}:${position.line}:${position.column}: `;
}

function objectProperties(schema: unknown): Readonly<Record<string, unknown>> | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const properties = (schema as { properties?: unknown }).properties;
  return typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : undefined;
}

/**
 * The link table's entity: an explicit `table`/`entity` option, else the source stream's name for actions whose
 * `table` option defaults to it (the warehouse), else the action name before its first dot.
 */
export function targetEntityOf(action: ActionDef, options: Readonly<Record<string, unknown>>, streamName: string): string {
  const table = options['table'];
  if (typeof table === 'string' && table !== '') return table;
  const entity = options['entity'];
  if (typeof entity === 'string' && entity !== '') return entity;
  if (objectProperties(action.options)?.['table'] !== undefined) return streamName;
  const dot = action.name.indexOf('.');
  return dot === -1 ? action.name : action.name.slice(0, dot);
}

function resolveConnector(options: CompileOptions, connection: string, keyPath: string): ConnectorDef {
  const { pipeline, connections, registry } = options;
  const spec = connections[connection];
  if (spec === undefined) {
    throw new FerryError('CONFIG_UNKNOWN_CONNECTION', `${at(pipeline, keyPath)}unknown connection '${connection}'${didYouMeanSuffix(connection, Object.keys(connections))}`, {
      hint: `declare '${connection}' under connections: in ferry.yaml, or use one of: ${Object.keys(connections).join(', ') || '(none)'}`,
      details: { connection },
    });
  }
  const connector = registry.get(spec.connector);
  if (connector === undefined) {
    throw new FerryError('CONFIG_UNKNOWN_CONNECTOR', `${at(pipeline, keyPath)}connection '${connection}' uses unknown connector '${spec.connector}'${didYouMeanSuffix(spec.connector, registry.keys())}`, {
      hint: 'install the connector package, or fix `connector:` of the connection in ferry.yaml',
      details: { connection, connector: spec.connector },
    });
  }
  return connector;
}

/** Re-raises a field-map or expression compile error at its position in the pipeline file. */
function positioned<T>(pipeline: PipelineSpec, keyPath: string, compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (!isFerryError(error)) throw error;
    const field = typeof error.details['field'] === 'string' ? `.${error.details['field']}` : '';
    const code = error.code === 'EXPRESSION_INVALID' ? 'CONFIG_BAD_EXPRESSION' : 'CONFIG_BAD_FIELDMAP';
    const place = pipeline.positions[`${keyPath}${field}`] === undefined ? keyPath : `${keyPath}${field}`;
    throw new FerryError(code, `${at(pipeline, place)}${error.message}`, {
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      details: error.details,
      cause: error,
    });
  }
}

function compileMap(pipeline: PipelineSpec, keyPath: string, spec: FieldMapSpec | undefined): CompiledFieldMap | undefined {
  if (spec === undefined || Object.keys(spec).length === 0) return undefined;
  return positioned(pipeline, keyPath, () => compileFieldMap(spec));
}

function compileWhereAt(pipeline: PipelineSpec, keyPath: string, expression: string | undefined): CompiledPredicate | undefined {
  if (expression === undefined || expression.trim() === '') return undefined;
  return positioned(pipeline, keyPath, () => compileWhere(expression));
}

export function compilePipeline(options: CompileOptions): CompiledPipeline {
  const { pipeline } = options;
  const contexts = new Map<string, ConnectorContext>();
  const contextOf = (connection: string): ConnectorContext => {
    let ctx = contexts.get(connection);
    if (ctx === undefined) {
      ctx = options.context(connection);
      contexts.set(connection, ctx);
    }
    return ctx;
  };

  const sourceConnection = pipeline.from.connection;
  const sourceConnector = resolveConnector(options, sourceConnection, 'from.connection');
  const declared = sourceConnector.streams.find((candidate) => candidate.name === pipeline.from.stream);
  if (declared === undefined) {
    const names = sourceConnector.streams.map((candidate) => candidate.name);
    throw new FerryError('CONFIG_UNKNOWN_STREAM', `${at(pipeline, 'from.stream')}unknown stream '${pipeline.from.stream}' for connection '${sourceConnection}'${didYouMeanSuffix(pipeline.from.stream, names)}`, {
      hint: `streams of ${sourceConnector.name}: ${names.join(', ') || '(none)'} — see \`ferry catalog ${sourceConnector.name}\``,
      details: { stream: pipeline.from.stream },
    });
  }
  const sourceCtx = contextOf(sourceConnection);
  // A file's key column or a CSV's typed columns come from the connection's settings.
  const stream = resolveStream(declared, sourceCtx.config);

  const compileStep = (spec: StepSpec, label: string, keyPath: string, isMain: boolean): CompiledStep => {
    const connector = resolveConnector(options, spec.connection, `${keyPath}.connection`);
    const action = connector.actions.find((candidate) => candidate.name === spec.action);
    if (action === undefined) {
      const names = connector.actions.map((candidate) => candidate.name);
      throw new FerryError('CONFIG_UNKNOWN_ACTION', `${at(pipeline, `${keyPath}.action`)}unknown action '${spec.action}' for connection '${spec.connection}'${didYouMeanSuffix(spec.action, names)}`, {
        hint: `actions of ${connector.name}: ${names.join(', ') || '(none)'} — see \`ferry catalog ${connector.name}\``,
        details: { action: spec.action },
      });
    }
    const map = isMain ? undefined : compileMap(pipeline, `${keyPath}.map`, spec.map);
    const validate = compileInputValidator(action.input, action.name, label);
    if (!isMain && map === undefined) {
      // A follow-up step without a map acts on the written record (`previous`) with an empty input.
      const problem = validate({});
      if (problem !== undefined) {
        throw new FerryError('CONFIG_BAD_FIELDMAP', `${at(pipeline, `${keyPath}.action`)}${label} (${action.name}) has no map, but ${problem.message}`, {
          hint: `add a map to ${label}; the previous step's result is $result (e.g. contactId: { expr: "$result.id" })`,
          details: problem.details,
        });
      }
    }
    return {
      label,
      connection: spec.connection,
      ctx: contextOf(spec.connection),
      action,
      options: spec.with ?? {},
      match: spec.match,
      map,
      where: compileWhereAt(pipeline, `${keyPath}.where`, spec.where),
      validate,
      entity: targetEntityOf(action, spec.with ?? {}, stream.name),
      linkResult: !isMain && spec.link === true,
    };
  };

  // The main map lives at the pipeline's top level, compiled below; `to` itself carries none.
  const to = compileStep(pipeline.to, 'to', 'to', true);
  const mainMap = pipeline.passThrough === true ? undefined : compileMap(pipeline, 'map', pipeline.map);
  const followUps = pipeline.then.map((step, index) => compileStep(step, `then[${index}]`, `then[${index}]`, false));
  const includes = compileIncludes(pipeline, {
    sourceConnector,
    sourceConnection,
    sourceCtx,
    parentStream: stream,
    at: (keyPath) => at(pipeline, keyPath),
    step: compileStep,
    map: (keyPath, spec) => compileMap(pipeline, keyPath, spec),
    where: (keyPath, expression) => compileWhereAt(pipeline, keyPath, expression),
    entityOf: (step, streamName) => targetEntityOf(step.action, step.options, streamName),
  });
  // Sized up by the run to what it keeps in flight; a page larger than that grows it.
  const lookups = new RunLookups({ store: options.store, pipeline: pipeline.name, capacity: 1024 });
  // `to.link`, `requireLink`, `when.became` and `skipEchoes` wrap the filter and the map and key the link table.
  const linked = compilePipelineLinks({
    pipeline,
    lookups,
    stream,
    sourceConnection,
    sourceConnector,
    to,
    where: compileWhereAt(pipeline, 'where', pipeline.where),
    became: compileWhereAt(pipeline, 'when.became', pipeline.when?.became),
    map: mainMap,
    at: (keyPath) => at(pipeline, keyPath),
  });

  return {
    pipeline,
    sourceConnection,
    stream,
    sourceCtx,
    source: { connector: sourceConnector.name, stream: stream.name, schema: stream.schema, primaryKey: stream.primaryKey },
    where: linked.where,
    map: linked.map,
    to,
    followUps,
    targetEntity: linked.targetEntity,
    includes,
    links: linked.links,
    lookups,
  };
}
