import type { ErrorObject } from 'ajv';
import { resolveStream, type ActionDef, type ConnectorDef, type StreamDef, type SyncMode } from '../contract/connector.js';
import type { JsonSchema } from '../contract/json-schema.js';
import type { ConnectionSpec, FieldMapEntry, FieldMapSpec, ProjectSpec } from '../contract/pipeline.js';
import { isFerryError } from '../errors/ferry-error.js';
import { didYouMean, didYouMeanSuffix } from '../util/did-you-mean.js';
import { ConfigError, displayPath, type ConfigErrorCode } from './config-error.js';
import type { ConnectorRegistry } from './connector-registry.js';
import { checkConnectorValue } from './connector-values.js';
import type { PipelineDocument, StepDocument, TriggerDocument } from './documents.js';
import { quoteValue } from './env-references.js';
import { childPointer, pointerOf, segmentsOf } from './json-pointer.js';
import { valueAt, type LoadedDocument } from './load-document.js';
import { checkSchedule } from './schedule.js';
import { sourcePathRoot, targetFieldRoot } from './field-names.js';

export interface PipelineReferences {
  readonly problems: readonly ConfigError[];
  /** `from.sync` as given, else incremental when the stream supports it, else full. */
  readonly sync: SyncMode;
  /** `from.params`, `to.with` and each `then[].with`, resolved and coerced to the connector's schemas. */
  readonly params: Readonly<Record<string, unknown>> | undefined;
  readonly toOptions: Readonly<Record<string, unknown>> | undefined;
  readonly thenOptions: readonly (Readonly<Record<string, unknown>> | undefined)[];
}

interface Context {
  readonly doc: PipelineDocument;
  readonly loaded: LoadedDocument;
  readonly project: ProjectSpec;
  readonly registry: ConnectorRegistry;
  readonly problems: ConfigError[];
}

interface ResolvedConnection {
  readonly name: string;
  readonly spec: ConnectionSpec;
  readonly connector: ConnectorDef;
}

/**
 * Checks every name a pipeline uses against the project and the connectors: connections, the stream and its
 * sync mode and params, actions and their options, triggers, schedules, target fields (against the action's
 * input schema), source fields (against the stream's record schema) and match fields (against the map).
 */
export function checkPipelineReferences(
  doc: PipelineDocument,
  loaded: LoadedDocument,
  project: ProjectSpec,
  registry: ConnectorRegistry,
): PipelineReferences {
  const ctx: Context = { doc, loaded, project, registry, problems: [] };

  const source = resolveConnection(ctx, doc.from.connection, '/from/connection');
  const stream = source === undefined ? undefined : resolveSourceStream(ctx, source);
  const sync = stream === undefined || source === undefined ? (doc.from.sync ?? 'incremental') : checkSync(ctx, source, stream);
  const params = stream === undefined || source === undefined ? doc.from.params : checkParams(ctx, source.connector, stream);
  const sourceFields = stream === undefined ? undefined : recordFields(stream.schema);

  const toConnection = resolveConnection(ctx, doc.to.connection, '/to/connection');
  const toOptions = checkStep(ctx, doc.to, '/to', toConnection, {
    map: doc.map,
    mapPointer: '/map',
    sourceFields,
    streamName: doc.from.stream,
  });

  const thenOptions = (doc.then ?? []).map((step, index) => {
    const pointer = pointerOf(['then', index]);
    const connection =
      step.connection === undefined ? toConnection : resolveConnection(ctx, step.connection, childPointer(pointer, 'connection'));
    return checkStep(ctx, step, pointer, connection, {
      map: step.map,
      mapPointer: childPointer(pointer, 'map'),
      sourceFields,
      streamName: doc.from.stream,
      // `match` of a step without its own map refers to the main map.
      matchAgainst: step.map ?? doc.map,
    });
  });

  (doc.on ?? []).forEach((trigger, index) => checkTrigger(ctx, trigger, pointerOf(['on', index]), source, stream));

  return { problems: ctx.problems, sync, params, toOptions, thenOptions };
}

function add(ctx: Context, code: ConfigErrorCode, pointer: string, reason: string, hint: string, details: Record<string, unknown> = {}): void {
  ctx.problems.push(new ConfigError(code, ctx.loaded.source.positionOf(pointer, 'value'), reason, { hint, details }));
}

function addAt(
  ctx: Context,
  code: ConfigErrorCode,
  at: ReturnType<LoadedDocument['source']['positionOf']>,
  reason: string,
  hint: string,
  details: Record<string, unknown> = {},
): void {
  ctx.problems.push(new ConfigError(code, at, reason, { hint, details }));
}

function shown(ctx: Context, pointer: string, value: string): string {
  return quoteValue(ctx.loaded.references, pointer, value);
}

function suggestionOf(input: string, candidates: Iterable<string>): Record<string, unknown> {
  const guess = didYouMean(input, candidates);
  return guess === undefined ? {} : { suggestion: guess };
}

function listOr(names: readonly string[], none: string): string {
  return names.length === 0 ? none : names.join(', ');
}

function resolveConnection(ctx: Context, name: string, pointer: string): ResolvedConnection | undefined {
  const spec = Object.hasOwn(ctx.project.connections, name) ? ctx.project.connections[name] : undefined;
  const names = Object.keys(ctx.project.connections);
  if (spec === undefined) {
    add(
      ctx,
      'CONFIG_UNKNOWN_CONNECTION',
      pointer,
      `unknown connection ${shown(ctx, pointer, name)}${didYouMeanSuffix(name, names)}`,
      `define it under connections: in ${displayPath(ctx.project.file)}, or use one of: ${listOr(names, '(none defined yet)')}`,
      { connection: name, ...suggestionOf(name, names) },
    );
    return undefined;
  }
  const connector = ctx.registry.get(spec.connector);
  if (connector === undefined) {
    const installed = [...ctx.registry.keys()];
    add(
      ctx,
      'CONFIG_UNKNOWN_CONNECTOR',
      pointer,
      `connection '${name}' uses connector '${spec.connector}', which is not installed${didYouMeanSuffix(spec.connector, installed)}`,
      `install the connector, or fix connections.${name}.connector in ${displayPath(ctx.project.file)} (installed: ${listOr(installed, 'none')})`,
      { connection: name, connector: spec.connector },
    );
    return undefined;
  }
  return { name, spec, connector };
}

function resolveSourceStream(ctx: Context, source: ResolvedConnection): StreamDef | undefined {
  const pointer = '/from/stream';
  const name = ctx.doc.from.stream;
  const definition = source.connector.streams.find((stream) => stream.name === name);
  const names = source.connector.streams.map((stream) => stream.name);
  if (definition === undefined) {
    add(
      ctx,
      'CONFIG_UNKNOWN_STREAM',
      pointer,
      `unknown stream ${shown(ctx, pointer, name)} for connection '${source.name}'${didYouMeanSuffix(name, names)}`,
      `streams of connector '${source.connector.name}': ${listOr(names, 'none (it only writes)')} (\`ferry catalog ${source.connector.name}\`)`,
      { stream: name, connection: source.name, ...suggestionOf(name, names) },
    );
    return undefined;
  }
  try {
    return resolveStream(definition, source.spec.config);
  } catch (error) {
    // The stream's shape depends on the connection's settings and they do not describe one.
    add(
      ctx,
      'CONFIG_BAD_CONNECTION',
      pointer,
      `stream '${name}' cannot be read with the settings of connection '${source.name}': ${
        isFerryError(error) ? error.message : error instanceof Error ? error.message : String(error)
      }`,
      isFerryError(error) && error.hint !== undefined
        ? error.hint
        : `check connections.${source.name}.config in ${displayPath(ctx.project.file)}`,
    );
    return undefined;
  }
}

function checkSync(ctx: Context, source: ResolvedConnection, stream: StreamDef): SyncMode {
  const wanted = ctx.doc.from.sync;
  const fallback: SyncMode = stream.syncModes.includes('incremental') ? 'incremental' : 'full';
  if (wanted === undefined) return fallback;
  if (!stream.syncModes.includes(wanted)) {
    add(
      ctx,
      'CONFIG_UNSUPPORTED_SYNC',
      '/from/sync',
      `stream '${stream.name}' of connection '${source.name}' does not support sync: ${wanted}`,
      `use sync: ${stream.syncModes.join(' or ')}${stream.syncModes.length === 1 ? ' (or leave sync out)' : ''}`,
      { sync: wanted, supported: stream.syncModes },
    );
  }
  return wanted;
}

function checkParams(ctx: Context, connector: ConnectorDef, stream: StreamDef): Readonly<Record<string, unknown>> | undefined {
  const params = ctx.doc.from.params;
  if (params === undefined) return undefined;
  const pointer = '/from/params';
  const declared = stream.params;
  if (declared === undefined) {
    for (const key of Object.keys(params)) {
      addAt(
        ctx,
        'CONFIG_UNKNOWN_PARAM',
        ctx.loaded.source.positionOf(childPointer(pointer, key), 'key'),
        `stream '${stream.name}' takes no params, but '${key}' is given`,
        'remove params: from from:',
        { param: key },
      );
    }
    return params;
  }
  const known = propertyNames(declared);
  const closed = declared['additionalProperties'] === false;
  if (known !== undefined && !closed) {
    // The contract says unknown params are errors, even when the schema does not close itself.
    for (const key of Object.keys(params).filter((name) => !known.includes(name))) {
      addAt(
        ctx,
        'CONFIG_UNKNOWN_PARAM',
        ctx.loaded.source.positionOf(childPointer(pointer, key), 'key'),
        `unknown param '${key}' for stream '${stream.name}'${didYouMeanSuffix(key, known)}`,
        `params of stream '${stream.name}': ${listOr(known, 'none')}`,
        { param: key, ...suggestionOf(key, known) },
      );
    }
  }
  const checked = checkConnectorValue({
    schema: declared,
    schemaName: `the params of stream '${stream.name}'`,
    connector: connector.name,
    written: valueAt(ctx.loaded.written, ['from', 'params']),
    resolved: params,
    report: {
      source: ctx.loaded.source,
      pointer,
      codes: { unknownKey: 'CONFIG_UNKNOWN_PARAM', invalid: 'CONFIG_BAD_PARAMS' },
      references: ctx.loaded.references,
      fallbackHint: `see stream '${stream.name}' in \`ferry catalog ${connector.name}\``,
      subject: `the params of stream '${stream.name}'`,
    },
    // A required param may still come from `--param k=v` or a parent record at run time.
    ignore: (error: ErrorObject) => error.keyword === 'required' && error.instancePath === '',
  });
  ctx.problems.push(...checked.problems);
  return isRecord(checked.value) ? checked.value : params;
}

interface StepMapping {
  readonly map: FieldMapSpec | undefined;
  readonly mapPointer: string;
  readonly sourceFields: readonly string[] | undefined;
  readonly streamName: string;
  readonly matchAgainst?: FieldMapSpec | undefined;
}

function checkStep(
  ctx: Context,
  step: StepDocument,
  pointer: string,
  connection: ResolvedConnection | undefined,
  mapping: StepMapping,
): Readonly<Record<string, unknown>> | undefined {
  if (mapping.map !== undefined && mapping.sourceFields !== undefined) {
    checkSourceFields(ctx, mapping.map, mapping.mapPointer, mapping.sourceFields, mapping.streamName);
  }
  checkMatch(ctx, step, pointer, 'matchAgainst' in mapping ? mapping.matchAgainst : mapping.map, mapping.sourceFields);
  if (connection === undefined) return step.with;

  const actionPointer = childPointer(pointer, 'action');
  const action = connection.connector.actions.find((candidate) => candidate.name === step.action);
  if (action === undefined) {
    const names = connection.connector.actions.map((candidate) => candidate.name);
    add(
      ctx,
      'CONFIG_UNKNOWN_ACTION',
      actionPointer,
      `unknown action ${shown(ctx, actionPointer, step.action)} for connection '${connection.name}'${didYouMeanSuffix(step.action, names)}`,
      `actions of connector '${connection.connector.name}': ${listOr(names, 'none (it only reads)')} (\`ferry catalog ${connection.connector.name}\`)`,
      { action: step.action, connection: connection.name, ...suggestionOf(step.action, names) },
    );
    return step.with;
  }
  if (mapping.map !== undefined) checkTargetFields(ctx, mapping.map, mapping.mapPointer, action);
  return checkOptions(ctx, step, pointer, connection.connector, action);
}

function checkOptions(
  ctx: Context,
  step: StepDocument,
  pointer: string,
  connector: ConnectorDef,
  action: ActionDef,
): Readonly<Record<string, unknown>> | undefined {
  const options = step.with;
  if (options === undefined) return undefined;
  const withPointer = childPointer(pointer, 'with');
  if (action.options === undefined) {
    for (const key of Object.keys(options)) {
      addAt(
        ctx,
        'CONFIG_UNKNOWN_OPTION',
        ctx.loaded.source.positionOf(childPointer(withPointer, key), 'key'),
        `action '${action.name}' takes no options, but '${key}' is given`,
        'remove with: from this step',
        { option: key },
      );
    }
    return options;
  }
  const checked = checkConnectorValue({
    schema: action.options,
    schemaName: `the options of action '${action.name}'`,
    connector: connector.name,
    written: valueAt(ctx.loaded.written, segmentsOf(withPointer)),
    resolved: options,
    report: {
      source: ctx.loaded.source,
      pointer: withPointer,
      codes: { unknownKey: 'CONFIG_UNKNOWN_OPTION', invalid: 'CONFIG_BAD_OPTIONS' },
      references: ctx.loaded.references,
      fallbackHint: `see action '${action.name}' in \`ferry catalog ${connector.name}\``,
      subject: `the options of action '${action.name}'`,
    },
  });
  ctx.problems.push(...checked.problems);
  return isRecord(checked.value) ? checked.value : options;
}

function checkTargetFields(ctx: Context, map: FieldMapSpec, mapPointer: string, action: ActionDef): void {
  const fields = closedPropertyNames(action.input);
  if (fields === undefined) return;
  for (const target of Object.keys(map)) {
    const root = targetFieldRoot(target);
    if (root === undefined || fields.includes(root)) continue;
    addAt(
      ctx,
      'CONFIG_UNKNOWN_FIELD',
      ctx.loaded.source.positionOf(childPointer(mapPointer, target), 'key'),
      `unknown field '${root}' for action '${action.name}'${didYouMeanSuffix(root, fields)}`,
      `fields that ${action.name} accepts: ${fields.join(', ')}`,
      { field: root, action: action.name, ...suggestionOf(root, fields) },
    );
  }
}

function checkSourceFields(ctx: Context, map: FieldMapSpec, mapPointer: string, fields: readonly string[], stream: string): void {
  for (const [target, entry] of Object.entries(map)) {
    const located = sourcePathOf(entry);
    if (located === undefined) continue;
    const entryPointer = childPointer(mapPointer, target);
    const pointer = located.viaFrom ? childPointer(entryPointer, 'from') : entryPointer;
    const root = sourcePathRoot(located.path);
    if (root === undefined || fields.includes(root)) continue;
    addAt(
      ctx,
      'CONFIG_UNKNOWN_FIELD',
      ctx.loaded.source.positionInText(pointer, 0),
      `unknown field '${root}' in stream '${stream}'${didYouMeanSuffix(root, fields)}`,
      `fields of stream '${stream}': ${fields.join(', ')}`,
      { field: root, stream, ...suggestionOf(root, fields) },
    );
  }
}

function checkMatch(
  ctx: Context,
  step: StepDocument,
  pointer: string,
  map: FieldMapSpec | undefined,
  sourceFields: readonly string[] | undefined,
): void {
  const fields = map === undefined ? sourceFields : Object.keys(map).map((target) => targetFieldRoot(target) ?? target);
  if (step.match === undefined || fields === undefined) return;
  step.match.forEach((field, index) => {
    if (fields.includes(field)) return;
    const matchPointer = childPointer(childPointer(pointer, 'match'), index);
    add(
      ctx,
      'CONFIG_UNKNOWN_FIELD',
      matchPointer,
      map === undefined
        ? `match field '${field}' is not a field of the source records${didYouMeanSuffix(field, fields)}`
        : `match field '${field}' is not mapped${didYouMeanSuffix(field, fields)}`,
      map === undefined
        ? `match on a field the records carry: ${listOr(fields, 'none')}`
        : `match on a field the map writes (${listOr(fields, 'none')}), or add '${field}' to the map`,
      { field, ...suggestionOf(field, fields) },
    );
  });
}

function checkTrigger(
  ctx: Context,
  trigger: TriggerDocument,
  pointer: string,
  source: ResolvedConnection | undefined,
  stream: StreamDef | undefined,
): void {
  if (trigger.schedule !== undefined) {
    const schedulePointer = childPointer(pointer, 'schedule');
    const problem = checkSchedule(trigger.schedule);
    if (problem !== undefined) {
      add(
        ctx,
        'CONFIG_BAD_SCHEDULE',
        schedulePointer,
        `invalid schedule ${shown(ctx, schedulePointer, trigger.schedule)}: ${problem}`,
        'write a cron expression: minute hour day-of-month month day-of-week, e.g. "*/15 * * * *" (a sixth field in front gives seconds)',
      );
    }
  }
  if (trigger.webhook === undefined) return;
  const webhookPointer = childPointer(pointer, 'webhook');
  const slash = trigger.webhook.indexOf('/');
  const connectionName = trigger.webhook.slice(0, slash);
  const triggerName = trigger.webhook.slice(slash + 1);
  const connection = resolveConnection(ctx, connectionName, webhookPointer);
  if (connection === undefined) return;
  const definition = connection.connector.triggers.find((candidate) => candidate.name === triggerName);
  const names = connection.connector.triggers.map((candidate) => candidate.name);
  if (definition === undefined) {
    addAt(
      ctx,
      'CONFIG_UNKNOWN_TRIGGER',
      ctx.loaded.source.positionInText(webhookPointer, slash + 1),
      `unknown trigger ${shown(ctx, webhookPointer, triggerName)} for connection '${connection.name}'${didYouMeanSuffix(triggerName, names)}`,
      `triggers of connector '${connection.connector.name}': ${listOr(names, 'none')} (\`ferry catalog ${connection.connector.name}\`)`,
      { trigger: triggerName, connection: connection.name, ...suggestionOf(triggerName, names) },
    );
    return;
  }
  if (source === undefined || stream === undefined) return;
  if (connection.name !== source.name || definition.stream !== stream.name) {
    const fitting = connection.connector.triggers
      .filter((candidate) => connection.name === source.name && candidate.stream === stream.name)
      .map((candidate) => `${source.name}/${candidate.name}`);
    add(
      ctx,
      'CONFIG_TRIGGER_MISMATCH',
      webhookPointer,
      `trigger '${trigger.webhook}' yields '${connection.name}/${definition.stream}' records, but the pipeline reads '${source.name}/${stream.name}'`,
      fitting.length === 0
        ? `use a schedule to run this pipeline, or a trigger of stream '${stream.name}' of connection '${source.name}'`
        : `use a trigger that yields ${stream.name}: ${fitting.join(', ')}`,
      { trigger: trigger.webhook, yields: definition.stream, reads: stream.name },
    );
  }
}

/** The source path an entry reads (plain string or `from:`); `$`-rooted paths are expression variables. */
function sourcePathOf(entry: FieldMapEntry): { path: string; viaFrom: boolean } | undefined {
  if (typeof entry === 'string') return { path: entry, viaFrom: false };
  if ('from' in entry && typeof entry.from === 'string') return { path: entry.from, viaFrom: true };
  return undefined;
}

/** Property names of an object schema, when it lists any. */
function propertyNames(schema: JsonSchema): string[] | undefined {
  const properties = schema['properties'];
  return isRecord(properties) ? Object.keys(properties) : undefined;
}

/** Fields of an action's input when the schema lists them and allows no others. */
function closedPropertyNames(schema: JsonSchema): string[] | undefined {
  return schema['additionalProperties'] === false ? propertyNames(schema) : undefined;
}

/** Fields of a stream's records, unless the schema says records may carry others (custom fields). */
function recordFields(schema: JsonSchema): string[] | undefined {
  const open = schema['additionalProperties'];
  if (open === true || isRecord(open) || schema['patternProperties'] !== undefined) return undefined;
  return propertyNames(schema);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
