import type { SyncMode } from './connector.js';

/**
 * The pipeline and project files after loading and validation (config/pipeline.schema.json and
 * config/ferry.schema.json describe their YAML form). Source positions are kept so that later errors
 * (unknown field at run time, a bad expression) can still name file:line:column.
 */

export interface SourcePosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** `convert` steps: a name (`phone-e164`, `lowercase`, `trim`, `number`, `boolean`, `date`) or a name with args. */
export type ConvertSpec =
  | string
  | { readonly phone: { readonly country?: string } }
  | { readonly date: { readonly tz?: string; readonly format?: string; readonly inputFormat?: string } }
  | { readonly split: string }
  | { readonly join: string };

/** One target field of a field map. */
export type FieldMapEntry =
  | string // a source path: `first_name`, `address.city`, `tags[].label`, `emails[0]`
  | {
      readonly from: string;
      readonly convert?: ConvertSpec | readonly ConvertSpec[];
      readonly default?: unknown;
    }
  | { readonly const: unknown }
  | { readonly expr: string; readonly default?: unknown };

export type FieldMapSpec = Readonly<Record<string, FieldMapEntry>>;

export interface TriggerSpec {
  /** `connection/trigger`, e.g. `salesmsg/contact.created`. */
  readonly webhook?: string;
  /** Cron expression (croner). */
  readonly schedule?: string;
}

export interface StepSpec {
  readonly connection: string;
  readonly action: string;
  /** Fields the destination matches on (upsert / search-before-create), in order of preference. */
  readonly match?: readonly string[];
  /** Action options. */
  readonly with?: Readonly<Record<string, unknown>>;
  /** `then` steps may map their own input; `$result` is the previous step's result. */
  readonly map?: FieldMapSpec;
  readonly where?: string;
  /** `to` only: records of a source record that has no link to the destination yet are skipped (updates only). */
  readonly requireLink?: boolean;
  /**
   * `to`: the step acts on the destination record linked to ANOTHER source record (`{ stream, id, entity }`: the
   * link of `<stream>/<record[id]>` to `entity`); records without that link are skipped. `then`: `true` links the
   * step's result to the source record (entity from the action), so that later runs update it instead of adding one.
   */
  readonly link?: LinkRefSpec | boolean;
  /**
   * `to` only: the partition of a partitioned destination connection that is not the source connection (a
   * destination that is the source connection runs in the source's partition).
   */
  readonly partition?: string;
}

/** The link of another source record of the same connection: `stream` record `record[id]` → destination `entity`. */
export interface LinkRefSpec {
  readonly stream: string;
  /** Field of the source record that holds the other record's id (`contact_id`). */
  readonly id: string;
  /** Destination entity of the link (`tasks`); default: the step's own entity. */
  readonly entity?: string;
}

/**
 * A child stream read for each parent record the pipeline processes (a contact's tasks): its records are written
 * through the same map, link and de-duplication machinery, and children gone since the last read are pruned.
 */
export interface IncludeSpec {
  /** A stream of the source connection whose `parent` is the pipeline's stream (e.g. `contact.tasks`). */
  readonly stream: string;
  readonly where?: string;
  /** Without a map, child records reach the action unchanged. */
  readonly map?: FieldMapSpec;
  readonly to: StepSpec;
  /** Action run with the linked id of each child seen last time for this parent but not now (e.g. a delete). */
  readonly prune?: StepSpec;
}

export interface PipelineSpec {
  readonly name: string;
  readonly description?: string;
  /** Absolute path of the file it came from. */
  readonly file: string;
  readonly on: readonly TriggerSpec[];
  readonly from: {
    readonly connection: string;
    readonly stream: string;
    readonly sync: SyncMode;
    readonly params?: Readonly<Record<string, unknown>>;
    /** A run given this param (`--param contactId=…`) reads that one record through `stream` (e.g. `contact`). */
    readonly byId?: { readonly stream: string; readonly param: string };
  };
  readonly where?: string;
  /**
   * Only records that START to pass `became` (JSONata) go on: the engine remembers, per source record, whether it
   * passed last time it was seen; one seen for the first time passing counts as a start.
   */
  readonly when?: { readonly became: string };
  /** Child streams read and written for each parent record. */
  readonly include?: readonly IncludeSpec[];
  /**
   * Records that show exactly what ferry itself last wrote to them (found by their id in the link table as a
   * destination record) are its own echo — a webhook about ferry's write — and are skipped.
   */
  readonly skipEchoes?: boolean;
  readonly to: StepSpec;
  readonly map: FieldMapSpec;
  /** True when the file has no `map`: records reach the action unchanged (e.g. a stream copied into a warehouse). */
  readonly passThrough?: boolean;
  readonly then: readonly StepSpec[];
  /** Records in flight at once through the destination (default 4). */
  readonly concurrency?: number;
  /** Acknowledged records per checkpoint transaction (default 500). */
  readonly batchSize?: number;
  /** Where in the file each key path was written (`map.phone`, `to.action`, …), for late errors. */
  readonly positions: Readonly<Record<string, SourcePosition>>;
}

export interface ConnectionAuthSpec {
  readonly kind: 'oauth2' | 'bearer' | 'none';
  readonly token?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly redirectUri?: string;
  /**
   * Scopes a static bearer token was created with (a token cannot be asked): runs check them before reading.
   * Left out, the check is skipped for tokens from ferry.yaml or the environment.
   */
  readonly scopes?: readonly string[];
}

/** One partition of a connection as ferry.yaml lists it (`partitions: [{ id, config, auth }]`). */
export interface PartitionSpec {
  readonly id: string;
  readonly label?: string;
  /** Overrides merged over the connection's config (validated merged, against the connector's schema). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Replaces the connection's auth for this partition (its own token). */
  readonly auth?: ConnectionAuthSpec;
}

export interface ConnectionSpec {
  readonly name: string;
  readonly connector: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly auth: ConnectionAuthSpec;
  /**
   * Absent: one unpartitioned connection. A list: one partition each (own checkpoint, limiter and token).
   * `discover`: the connector lists them (`ConnectorDef.partitions`).
   */
  readonly partitions?: readonly PartitionSpec[] | 'discover';
}

/** ferry.yaml's `redis:`, as `redis: <url>` or `redis: { url, prefix }`. */
export interface RedisSpec {
  /** redis:// or rediss:// URL. */
  readonly url: string;
  /**
   * First part of every key ferry keeps there — rate budgets, locks, the run queue (absent: `ferry`). Projects
   * sharing a Redis database share rate budgets unless their prefixes differ.
   */
  readonly prefix?: string;
}

export interface ProjectSpec {
  /** Absolute path of ferry.yaml. */
  readonly file: string;
  /** Directory of ferry.yaml; relative paths resolve against it. */
  readonly baseDir: string;
  /** Store location: a file path for SQLite (default `./ferry.db`), or a URL. */
  readonly store: string;
  /**
   * Redis for shared rate budgets, locks and the run queue. With it, every process of the project draws from one
   * rate budget per (connector, account); without it, each limits its own calls.
   */
  readonly redis?: RedisSpec;
  readonly connections: Readonly<Record<string, ConnectionSpec>>;
  /** Pipeline files (globs expanded, absolute). */
  readonly pipelineFiles: readonly string[];
  readonly serve: {
    readonly host: string;
    readonly port: number;
    /** Cron expression of the service's oauth2 token rotation; `off` disables it (default daily). */
    readonly rotate?: string;
  };
  readonly log: { readonly level: string; readonly file?: string };
}
