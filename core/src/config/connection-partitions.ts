import type { ErrorObject } from 'ajv';
import type { ConnectorDef } from '../contract/connector.js';
import type { ConnectionAuthSpec, PartitionSpec } from '../contract/pipeline.js';
import { ConfigError } from './config-error.js';
import { checkConnectorValue } from './connector-values.js';
import type { AuthDocument, ConnectionDocument, PartitionDocument } from './documents.js';
import { childPointer, pointerOf, segmentsOf } from './json-pointer.js';
import { valueAt, type LoadedDocument } from './load-document.js';

export interface PartitionsInput {
  readonly name: string;
  readonly connection: ConnectionDocument;
  readonly connector: ConnectorDef;
  readonly loaded: LoadedDocument;
  /** The connection's own config, resolved and coerced (partition overrides are merged over it). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly problems: ConfigError[];
}

/**
 * A connection's `partitions:`: `discover` (the connector must have the hook), or a list whose ids are unique
 * and whose configs, merged over the connection's, satisfy the connector's config schema. Problems name the
 * partition and sit at its place in the file.
 */
export function buildPartitions(input: PartitionsInput): readonly PartitionSpec[] | 'discover' | undefined {
  const declared = input.connection.partitions;
  if (declared === undefined) return undefined;
  const pointer = pointerOf(['connections', input.name, 'partitions']);
  if (declared === 'discover') {
    if (input.connector.partitions === undefined) {
      input.problems.push(
        new ConfigError(
          'CONFIG_BAD_PARTITIONS',
          input.loaded.source.positionOf(pointer, 'value'),
          `connector '${input.connector.name}' cannot discover partitions (connection '${input.name}')`,
          { hint: 'list them instead: partitions: [{ id: a, config: { … } }, { id: b, config: { … } }]', details: { connector: input.connector.name } },
        ),
      );
    }
    return 'discover';
  }
  const firstAt = new Map<string, number>();
  return declared.map((partition, index) => {
    const at = childPointer(pointer, index);
    const first = firstAt.get(partition.id);
    if (first === undefined) firstAt.set(partition.id, index);
    else {
      const earlier = input.loaded.source.positionOf(childPointer(childPointer(pointer, first), 'id'), 'value');
      input.problems.push(
        new ConfigError(
          'CONFIG_DUPLICATE_PARTITION',
          input.loaded.source.positionOf(childPointer(at, 'id'), 'value'),
          `partition '${partition.id}' of connection '${input.name}' is listed twice (first on line ${earlier.line})`,
          { hint: 'give each partition its own id: checkpoints and runs are kept per id', details: { connection: input.name, partition: partition.id } },
        ),
      );
    }
    return buildPartition(input, partition, index, at);
  });
}

function buildPartition(input: PartitionsInput, partition: PartitionDocument, index: number, pointer: string): PartitionSpec {
  const subject = `partition '${partition.id}' of connection '${input.name}'`;
  const named = (problem: ConfigError): ConfigError => renamed(problem, `${subject}: ${problem.reason}`);
  const configPointer = childPointer(pointer, 'config');
  const writtenOwn = asRecord(valueAt(input.loaded.written, ['connections', input.name, 'partitions', index, 'config']));
  const resolvedOwn = partition.config ?? {};
  const writtenBase = asRecord(valueAt(input.loaded.written, ['connections', input.name, 'config']));
  const checked = checkConnectorValue({
    schema: input.connector.configSchema,
    schemaName: 'its config',
    connector: input.connector.name,
    written: { ...writtenBase, ...writtenOwn },
    resolved: { ...input.config, ...resolvedOwn },
    report: {
      source: input.loaded.source,
      pointer: configPointer,
      codes: { unknownKey: 'CONFIG_UNKNOWN_KEY', invalid: 'CONFIG_BAD_CONNECTION' },
      references: input.loaded.references,
      fallbackHint: `see the settings of connector '${input.connector.name}' with \`ferry catalog ${input.connector.name}\``,
      subject: `the config of ${subject}`,
    },
    // The connection's own keys were checked with the connection; only what the partition adds or lacks is new.
    ignore: (error) => !concernsPartition(error, resolvedOwn),
  });
  input.problems.push(...checked.problems.map(named));
  const merged = asRecord(checked.value);
  const config = Object.fromEntries(Object.keys(resolvedOwn).map((key) => [key, merged[key]]));
  const auth = partition.auth === undefined ? undefined : partitionAuth(input, partition.auth, childPointer(pointer, 'auth'), subject);
  return {
    id: partition.id,
    ...(partition.label === undefined ? {} : { label: partition.label }),
    config,
    ...(auth === undefined ? {} : { auth }),
  };
}

/** Whether a schema error of the merged config is about a key the partition sets (or one nobody sets). */
function concernsPartition(error: ErrorObject, own: Readonly<Record<string, unknown>>): boolean {
  const [key] = segmentsOf(error.instancePath);
  if (key !== undefined) return Object.hasOwn(own, key);
  if (error.keyword === 'additionalProperties') return Object.hasOwn(own, String(error.params['additionalProperty']));
  return true;
}

/**
 * A partition's own auth replaces the connection's. Only tokens are kept per partition: an oauth2 grant is
 * stored per connection, so it cannot differ between partitions.
 */
function partitionAuth(input: PartitionsInput, auth: AuthDocument, pointer: string, subject: string): ConnectionAuthSpec {
  const { source } = input.loaded;
  const kind = auth.kind ?? (auth.clientId !== undefined || auth.clientSecret !== undefined ? 'oauth2' : 'bearer');
  const spec: ConnectionAuthSpec = {
    kind,
    ...(auth.token === undefined ? {} : { token: auth.token }),
    ...(auth.scopes === undefined ? {} : { scopes: auth.scopes }),
  };
  const accepted = input.connector.auth.map((candidate) => candidate.kind);
  if (kind === 'oauth2' || auth.clientId !== undefined || auth.clientSecret !== undefined || auth.redirectUri !== undefined) {
    input.problems.push(
      new ConfigError('CONFIG_BAD_AUTH', source.positionOf(pointer, 'key'), `${subject} has oauth2 auth: a partition's own auth can only be a token`, {
        hint: 'give the partition `auth: { token: ${…} }`, or leave its auth out to use the connection\'s (an agency token with `partitions: discover`)',
        details: { kind },
      }),
    );
  } else if (!(kind === 'none' ? accepted.length === 0 || accepted.includes('none') : accepted.includes(kind))) {
    input.problems.push(
      new ConfigError('CONFIG_BAD_AUTH', source.positionOf(pointer, 'key'), `connector '${input.connector.name}' does not accept ${kind} auth (${subject})`, {
        hint: `accepted: ${accepted.join(', ') || 'none'}`,
        details: { kind, accepted },
      }),
    );
  }
  return spec;
}

function renamed(problem: ConfigError, reason: string): ConfigError {
  const details = Object.fromEntries(Object.entries(problem.details).filter(([key]) => !['file', 'line', 'column', 'others'].includes(key)));
  return new ConfigError(problem.code, problem, reason, { hint: problem.hint ?? '', details });
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
