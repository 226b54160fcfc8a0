import { resolveStream, type ConnectorDef, type StreamDef } from '../contract/connector.js';
import type { JsonSchema } from '../contract/json-schema.js';
import { SchemaValidators } from './schema-validator.js';

const CONNECTOR_NAME = /^[a-z][a-z0-9-]*$/;
const SEMVER = /^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const SYNC_MODES = new Set(['full', 'incremental']);
const IDEMPOTENCE = new Set(['idempotent', 'upsert', 'search-before-create', 'none']);
const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const AUTH_KINDS = new Set(['oauth2', 'bearer', 'none']);

function duplicates(names: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const name of names) (seen.has(name) ? repeated : seen).add(name);
  return [...repeated];
}

function propertyNames(schema: JsonSchema | undefined): string[] | undefined {
  const properties = schema?.['properties'];
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : undefined;
}

function isClosed(schema: JsonSchema): boolean {
  return schema['additionalProperties'] === false;
}

function streamProblems(stream: StreamDef, where: string, validators: SchemaValidators): string[] {
  const problems: string[] = [];
  const schemaProblem = validators.compileProblem(stream.schema);
  if (schemaProblem !== undefined) problems.push(`${where}: record schema does not compile: ${schemaProblem}`);
  if (stream.primaryKey === '') problems.push(`${where}: primaryKey is empty`);
  const properties = propertyNames(stream.schema);
  if (properties !== undefined && isClosed(stream.schema) && !properties.includes(stream.primaryKey)) {
    problems.push(`${where}: primaryKey '${stream.primaryKey}' is not a property of its closed record schema`);
  }
  if (stream.syncModes.includes('incremental') && (stream.cursorField === undefined || stream.cursorField === '')) {
    problems.push(`${where}: supports incremental sync but has no cursorField`);
  }
  return problems;
}

/**
 * Everything wrong with a connector's metadata, as sentences (empty when it is sane): names, semver version,
 * unique stream/action/trigger names, schemas that compile, incremental streams with a cursor field, scopes
 * declared for authenticated connectors, triggers and child streams that point at real streams. `config` (a valid
 * connection config) also checks the shape each stream takes for it (`shapeFor`).
 */
export function connectorProblems(
  connector: ConnectorDef,
  options: { readonly config?: Record<string, unknown>; readonly validators?: SchemaValidators } = {},
): string[] {
  const validators = options.validators ?? new SchemaValidators();
  const problems: string[] = [];
  const add = (problem: string): void => {
    problems.push(problem);
  };

  if (!CONNECTOR_NAME.test(connector.name)) add(`name '${connector.name}' must be lower-case letters, digits and dashes`);
  if (!SEMVER.test(connector.version)) add(`version '${connector.version}' is not semver (like 1.2.3)`);
  if (connector.description.trim() === '') add('description is empty');

  const configProblem = validators.compileProblem(connector.configSchema);
  if (configProblem !== undefined) add(`configSchema does not compile: ${configProblem}`);
  if (connector.configSchema['type'] !== 'object') add("configSchema must have type 'object'");
  if (!isClosed(connector.configSchema)) add('configSchema must set additionalProperties: false (so typos in ferry.yaml are caught)');

  if (connector.auth.length === 0) add("auth lists no kind (use [{ kind: 'none' }] for none)");
  for (const auth of connector.auth) {
    if (!AUTH_KINDS.has(auth.kind)) add(`auth kind '${auth.kind}' is unknown`);
    if (auth.kind === 'oauth2' && (auth.authorizeUrl === '' || auth.tokenUrl === '')) add('oauth2 auth needs authorizeUrl and tokenUrl');
  }

  for (const name of duplicates(connector.streams.map((s) => s.name))) add(`stream name '${name}' is used twice`);
  for (const name of duplicates(connector.actions.map((a) => a.name))) add(`action name '${name}' is used twice`);
  for (const name of duplicates(connector.triggers.map((t) => t.name))) add(`trigger name '${name}' is used twice`);

  const streamNames = new Set(connector.streams.map((s) => s.name));
  for (const stream of connector.streams) {
    const where = `stream '${stream.name}'`;
    if (stream.name === '') add('a stream has no name');
    if (stream.description.trim() === '') add(`${where}: description is empty`);
    if (stream.syncModes.length === 0) add(`${where}: lists no sync mode`);
    for (const mode of stream.syncModes) if (!SYNC_MODES.has(mode)) add(`${where}: unknown sync mode '${mode}'`);
    problems.push(...streamProblems(stream, where, validators));
    if (stream.params !== undefined) {
      const paramsProblem = validators.compileProblem(stream.params);
      if (paramsProblem !== undefined) add(`${where}: params schema does not compile: ${paramsProblem}`);
    }
    if (stream.http !== undefined && !HTTP_METHODS.has(stream.http.method)) add(`${where}: unknown HTTP method '${stream.http.method}'`);
    if (stream.parent !== undefined) {
      if (!streamNames.has(stream.parent.stream)) add(`${where}: parent stream '${stream.parent.stream}' does not exist`);
      const params = propertyNames(stream.params);
      if (params !== undefined && !params.includes(stream.parent.param)) add(`${where}: parent param '${stream.parent.param}' is not in its params schema`);
    }
    if (options.config !== undefined && stream.shapeFor !== undefined) {
      let resolved: StreamDef | undefined;
      try {
        resolved = resolveStream(stream, options.config);
      } catch (error) {
        add(`${where}: shapeFor fails on the valid config: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (resolved !== undefined) problems.push(...streamProblems(resolved, `${where} (for the valid config)`, validators));
    }
  }

  for (const action of connector.actions) {
    const where = `action '${action.name}'`;
    if (action.name === '') add('an action has no name');
    if (action.description.trim() === '') add(`${where}: description is empty`);
    const inputProblem = validators.compileProblem(action.input);
    if (inputProblem !== undefined) add(`${where}: input schema does not compile: ${inputProblem}`);
    if (action.options !== undefined) {
      const optionsProblem = validators.compileProblem(action.options);
      if (optionsProblem !== undefined) add(`${where}: options schema does not compile: ${optionsProblem}`);
    }
    if (!IDEMPOTENCE.has(action.idempotence)) add(`${where}: unknown idempotence '${action.idempotence}'`);
    if (action.http !== undefined && !HTTP_METHODS.has(action.http.method)) add(`${where}: unknown HTTP method '${action.http.method}'`);
  }

  for (const trigger of connector.triggers) {
    const where = `trigger '${trigger.name}'`;
    if (trigger.name === '') add('a trigger has no name');
    if (trigger.description.trim() === '') add(`${where}: description is empty`);
    if (trigger.kind !== 'webhook' && trigger.kind !== 'poll') add(`${where}: unknown kind '${String(trigger.kind)}'`);
    if (!streamNames.has(trigger.stream)) add(`${where}: stream '${trigger.stream}' does not exist`);
    if (trigger.kind === 'webhook' && trigger.parse === undefined) add(`${where}: a webhook trigger needs parse()`);
  }

  const authenticated = connector.auth.some((auth) => auth.kind !== 'none');
  if (authenticated && connector.scopes === undefined) add('the connector has auth other than none but declares no scopes');
  if (connector.scopes !== undefined) {
    const declared = new Set([...connector.scopes.read, ...connector.scopes.write]);
    const scoped = [
      ...connector.streams.map((s) => ({ what: `stream '${s.name}'`, scope: s.scope })),
      ...connector.actions.map((a) => ({ what: `action '${a.name}'`, scope: a.scope })),
    ];
    for (const { what, scope } of scoped) {
      if (scope === undefined) {
        if (declared.size > 0) add(`${what}: declares no scope although the connector has scopes`);
      } else if (!declared.has(scope)) {
        add(`${what}: scope '${scope}' is not in the connector's scopes (read/write)`);
      }
    }
  }

  for (const window of connector.limits?.windows ?? []) {
    if (!(window.max > 0) || !(window.perMs > 0)) add(`limits: window ${window.max} per ${window.perMs} ms must be positive`);
  }
  if (connector.sandbox !== undefined && typeof connector.sandbox !== 'function') add('sandbox is not a function (a loader of the sandbox)');

  return problems;
}
