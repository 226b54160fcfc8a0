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
  };
  readonly where?: string;
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
}

export interface ConnectionSpec {
  readonly name: string;
  readonly connector: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly auth: ConnectionAuthSpec;
}

export interface ProjectSpec {
  /** Absolute path of ferry.yaml. */
  readonly file: string;
  /** Directory of ferry.yaml; relative paths resolve against it. */
  readonly baseDir: string;
  /** Store location: a file path for SQLite (default `./ferry.db`), or a URL. */
  readonly store: string;
  readonly connections: Readonly<Record<string, ConnectionSpec>>;
  /** Pipeline files (globs expanded, absolute). */
  readonly pipelineFiles: readonly string[];
  readonly serve: { readonly host: string; readonly port: number };
  readonly log: { readonly level: string; readonly file?: string };
}
