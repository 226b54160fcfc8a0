import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ErrorObject } from 'ajv';
import type { AuthKind, ConnectorDef } from '../contract/connector.js';
import type { ConnectionAuthSpec, ConnectionSpec, ProjectSpec, RedisSpec } from '../contract/pipeline.js';
import { didYouMean, didYouMeanSuffix } from '../util/did-you-mean.js';
import { ConfigError, throwProblems } from './config-error.js';
import type { ConnectorRegistry } from './connector-registry.js';
import { buildPartitions } from './connection-partitions.js';
import { checkConnectorValue } from './connector-values.js';
import type { AuthDocument, ConnectionDocument, ProjectDocument } from './documents.js';
import type { Environment } from './env-references.js';
import { childPointer, pointerOf } from './json-pointer.js';
import { loadDocument, valueAt, type LoadedDocument } from './load-document.js';
import { expandPipelineFiles } from './pipeline-files.js';
import { readConfigFile } from './read-config-file.js';
import { checkSchedule } from './schedule.js';

export interface ProjectLoadOptions {
  readonly registry: ConnectorRegistry;
  /** Where `${VAR}` values come from (default: process.env). */
  readonly env?: Environment;
}

/** Names of the project file, in the order they are looked for. */
export const PROJECT_FILE_NAMES: readonly string[] = ['ferry.yaml', 'ferry.yml'];

export const DEFAULT_STORE = './ferry.db';
export const DEFAULT_SERVE = { host: '127.0.0.1', port: 8787 } as const;
export const DEFAULT_LOG_LEVEL = 'info';

/** The nearest ferry.yaml (or ferry.yml) in `startDir` or a directory above it, as an absolute path. */
export function findProjectFile(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    for (const name of PROJECT_FILE_NAMES) {
      const candidate = join(dir, name);
      if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads and validates ferry.yaml; throws ConfigError naming file:line:column. */
export function loadProject(file: string, options: ProjectLoadOptions): ProjectSpec {
  const absolute = resolve(file);
  return parseProject(readConfigFile(absolute), absolute, options);
}

/**
 * Validates the text of a project file. Relative paths (store, pipelines, log file) resolve against the
 * file's directory, and pipeline globs are expanded there.
 */
export function parseProject(text: string, file: string, options: ProjectLoadOptions): ProjectSpec {
  const absolute = resolve(file);
  const loaded = loadDocument(text, absolute, 'ferry', options.env ?? process.env);
  const project = loaded.value as ProjectDocument;
  const baseDir = dirname(absolute);
  const problems: ConfigError[] = [];

  const connections: Record<string, ConnectionSpec> = Object.fromEntries(
    Object.entries(project.connections ?? {}).flatMap(([name, connection]) => {
      const built = buildConnection(name, connection, loaded, options.registry, problems);
      return built === undefined ? [] : [[name, built] as const];
    }),
  );

  const pipelines = expandPipelineFiles(project.pipelines, baseDir, loaded.source);
  problems.push(...pipelines.problems);
  const rotate = project.serve?.rotate;
  const rotateProblem = rotate === undefined || rotate === 'off' ? undefined : checkSchedule(rotate);
  if (rotateProblem !== undefined) {
    problems.push(
      new ConfigError('CONFIG_BAD_SCHEDULE', loaded.source.positionOf(pointerOf(['serve', 'rotate']), 'value'), `serve.rotate '${rotate}' is not a cron expression: ${rotateProblem}`, {
        hint: "write five fields (minute hour day month weekday), e.g. '17 3 * * *' for daily at 03:17, or off",
      }),
    );
  }
  throwProblems(problems);

  const store = project.store ?? DEFAULT_STORE;
  return {
    file: absolute,
    baseDir,
    store: /^[a-z][a-z0-9+.-]*:\/\//i.test(store) ? store : resolve(baseDir, store),
    ...(project.redis === undefined ? {} : { redis: redisSpec(project.redis) }),
    connections,
    pipelineFiles: pipelines.files,
    serve: {
      host: project.serve?.host ?? DEFAULT_SERVE.host,
      port: project.serve?.port ?? DEFAULT_SERVE.port,
      ...(rotate === undefined ? {} : { rotate }),
    },
    log: {
      level: project.log?.level ?? DEFAULT_LOG_LEVEL,
      ...(project.log?.file === undefined ? {} : { file: resolve(baseDir, project.log.file) }),
    },
  };
}

/** Both forms of `redis:` as one shape: the plain URL is `{ url }` with the default prefix. */
function redisSpec(redis: NonNullable<ProjectDocument['redis']>): RedisSpec {
  if (typeof redis === 'string') return { url: redis };
  return { url: redis.url, ...(redis.prefix === undefined ? {} : { prefix: redis.prefix }) };
}

function buildConnection(
  name: string,
  connection: ConnectionDocument,
  loaded: LoadedDocument,
  registry: ConnectorRegistry,
  problems: ConfigError[],
): ConnectionSpec | undefined {
  const { source } = loaded;
  const pointer = pointerOf(['connections', name]);
  const connector = registry.get(connection.connector);
  if (connector === undefined) {
    const names = [...registry.keys()];
    problems.push(
      new ConfigError(
        'CONFIG_UNKNOWN_CONNECTOR',
        source.positionOf(childPointer(pointer, 'connector'), 'value'),
        `unknown connector '${connection.connector}' for connection '${name}'${didYouMeanSuffix(connection.connector, names)}`,
        {
          hint:
            names.length === 0
              ? 'no connector is installed: install a connector package (e.g. @ferry/connector-ghl)'
              : `installed connectors: ${names.join(', ')} (\`ferry catalog\` describes them)`,
          details: { connector: connection.connector, ...suggestion(connection.connector, names) },
        },
      ),
    );
    return undefined;
  }

  const configPointer = childPointer(pointer, 'config');
  const config = checkConnectorValue({
    schema: connector.configSchema,
    schemaName: 'its config',
    connector: connector.name,
    written: valueAt(loaded.written, ['connections', name, 'config']) ?? {},
    resolved: connection.config ?? {},
    report: {
      source,
      pointer: configPointer,
      codes: { unknownKey: 'CONFIG_UNKNOWN_KEY', invalid: 'CONFIG_BAD_CONNECTION' },
      references: loaded.references,
      fallbackHint: `see the settings of connector '${connector.name}' with \`ferry catalog ${connector.name}\``,
      subject: `the config of connection '${name}'`,
    },
    // A partitioned connection's partitions fill in what it leaves out (each location's locationId).
    ...(connection.partitions === undefined ? {} : { ignore: (error: ErrorObject) => error.keyword === 'required' && error.instancePath === '' }),
  });
  problems.push(...config.problems);

  // Partitions that each bring their own token need none from the connection.
  const ownAuth = Array.isArray(connection.partitions) && connection.partitions.every((partition) => partition.auth !== undefined);
  const auth = buildAuth(name, connection.auth, connector, loaded, problems, ownAuth);
  const configValue = isRecord(config.value) ? config.value : {};
  const partitions = buildPartitions({ name, connection, connector, loaded, config: configValue, problems });
  return {
    name,
    connector: connector.name,
    config: configValue,
    auth,
    ...(partitions === undefined ? {} : { partitions }),
  };
}

function buildAuth(
  name: string,
  auth: AuthDocument | undefined,
  connector: ConnectorDef,
  loaded: LoadedDocument,
  problems: ConfigError[],
  partitionsHaveAuth: boolean,
): ConnectionAuthSpec {
  const { source } = loaded;
  const authPointer = pointerOf(['connections', name, 'auth']);
  const accepted = connector.auth.map((kind: AuthKind) => kind.kind);
  const needsCredentials = accepted.length > 0 && !accepted.includes('none');
  if (auth === undefined && needsCredentials && partitionsHaveAuth) return { kind: accepted.includes('bearer') ? 'bearer' : 'oauth2' };
  if (auth === undefined && needsCredentials) {
    problems.push(
      new ConfigError('CONFIG_BAD_AUTH', source.positionOf(pointerOf(['connections', name]), 'key'), `connection '${name}' has no auth`, {
        hint: `connector '${connector.name}' needs credentials: ${authExamples(name, accepted).join(', or ')}`,
        details: { accepted },
      }),
    );
    return { kind: accepted[0] === 'oauth2' ? 'oauth2' : 'bearer' };
  }
  const kind = auth?.kind ?? inferAuthKind(auth, accepted);
  const spec: ConnectionAuthSpec = {
    kind,
    ...(auth?.token === undefined ? {} : { token: auth.token }),
    ...(auth?.clientId === undefined ? {} : { clientId: auth.clientId }),
    ...(auth?.clientSecret === undefined ? {} : { clientSecret: auth.clientSecret }),
    ...(auth?.redirectUri === undefined ? {} : { redirectUri: auth.redirectUri }),
    ...(auth?.scopes === undefined ? {} : { scopes: auth.scopes }),
  };
  const acceptsKind = kind === 'none' ? accepted.length === 0 || accepted.includes('none') : accepted.includes(kind);
  if (!acceptsKind) {
    const at = source.positionOf(auth?.kind === undefined ? authPointer : childPointer(authPointer, 'kind'), 'value');
    problems.push(
      new ConfigError('CONFIG_BAD_AUTH', at, `connector '${connector.name}' does not accept ${kind} auth (connection '${name}')`, {
        hint:
          accepted.length === 0
            ? 'remove auth: this connector needs no credentials'
            : `set auth.kind to ${accepted.join(' or ')}${accepted.includes('bearer') ? ' (bearer: give auth.token, e.g. ${TOKEN})' : ''}`,
        details: { kind, accepted },
      }),
    );
    return spec;
  }
  if (kind === 'oauth2') {
    const missing = (['clientId', 'clientSecret'] as const).filter((key) => spec[key] === undefined);
    if (missing.length > 0) {
      problems.push(
        new ConfigError(
          'CONFIG_BAD_AUTH',
          source.positionOf(auth === undefined ? pointerOf(['connections', name]) : authPointer, 'key'),
          `oauth2 connection '${name}' is missing ${missing.join(' and ')}`,
          {
            hint: `add ${missing.map((key) => `auth.${key}: \${${envNameFor(name, key)}}`).join(' and ')} (from the app registered with the provider)`,
            details: { missing },
          },
        ),
      );
    }
  }
  return spec;
}

/** `kind:` may be left out: a token means bearer, a client id means oauth2, else the connector's first kind. */
function inferAuthKind(auth: AuthDocument | undefined, accepted: readonly string[]): ConnectionAuthSpec['kind'] {
  if (auth?.token !== undefined) return 'bearer';
  if (auth?.clientId !== undefined || auth?.clientSecret !== undefined) return 'oauth2';
  const first = accepted[0];
  return first === 'oauth2' || first === 'bearer' ? first : 'none';
}

function authExamples(connection: string, accepted: readonly string[]): string[] {
  const prefix = envPrefix(connection);
  return accepted.flatMap((kind) => {
    if (kind === 'bearer') return [`auth: { token: \${${prefix}_TOKEN} }`];
    if (kind === 'oauth2') {
      return [`auth: { kind: oauth2, clientId: \${${prefix}_CLIENT_ID}, clientSecret: \${${prefix}_CLIENT_SECRET} }`];
    }
    return [];
  });
}

function envPrefix(connection: string): string {
  return connection.toUpperCase().replaceAll(/[^A-Z0-9]/g, '_');
}

function envNameFor(connection: string, key: 'clientId' | 'clientSecret'): string {
  return `${envPrefix(connection)}_${key === 'clientId' ? 'CLIENT_ID' : 'CLIENT_SECRET'}`;
}

function suggestion(input: string, candidates: readonly string[]): { suggestion?: string } {
  const guess = didYouMean(input, candidates);
  return guess === undefined ? {} : { suggestion: guess };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
