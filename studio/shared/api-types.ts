/**
 * What the studio's browser app and its server say to each other. Plain data only: the browser bundle imports this
 * file, so it imports nothing from node or @ferry/core (the server checks that its values fit these shapes).
 */

/** A convert step as written in a field map (`phone-e164`, `{ split: ";" }`, `{ date: { tz } }`, …). */
export type ConvertStep =
  | string
  | { readonly phone: { readonly country?: string } }
  | { readonly date: { readonly tz?: string; readonly format?: string; readonly inputFormat?: string } }
  | { readonly split: string }
  | { readonly join: string };

/** One entry of `map:`: a source path, `{ from, convert?, default? }`, `{ const }` or `{ expr, default? }`. */
export type MapEntry =
  | string
  | { readonly from: string; readonly convert?: ConvertStep | readonly ConvertStep[]; readonly default?: unknown }
  | { readonly const: unknown }
  | { readonly expr: string; readonly default?: unknown };

/** The part of a pipeline file the studio edits; every other key of the file is left as it is. */
export interface PipelineDraft {
  readonly name: string;
  readonly description?: string;
  readonly from: {
    readonly connection: string;
    readonly stream: string;
    readonly sync?: 'full' | 'incremental';
    readonly params?: Readonly<Record<string, unknown>>;
  };
  readonly where?: string;
  readonly to: {
    readonly connection: string;
    readonly action: string;
    readonly match?: readonly string[];
    readonly with?: Readonly<Record<string, unknown>>;
  };
  /** Target field → entry, in file order. */
  readonly map: Readonly<Record<string, MapEntry>>;
}

/** JSON Schema type words (`string`, `integer`, `array`, …); `any` when the schema says nothing. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null' | 'any';

export interface FieldView {
  /** A field-map path: `address.city`, `tags[].label`, `"utm.source"`. */
  readonly path: string;
  readonly types: readonly FieldType[];
  /** For arrays: the element types. */
  readonly items?: readonly FieldType[];
  readonly required: boolean;
  readonly description?: string;
  /** JSON Schema `format` (email, date-time, …), which suggests a convert. */
  readonly format?: string;
  readonly enum?: readonly unknown[];
  /** Where the studio learnt of it: the stream's schema, the sample records, or both. */
  readonly origin: 'schema' | 'sample' | 'both';
}

export interface ConverterView {
  readonly name: string;
  readonly description: string;
  /** Value types accepted, in JSON Schema words (`string | number`, `string[]`). */
  readonly input: string;
  readonly output: string;
  readonly options?: string;
}

export interface StreamView {
  readonly name: string;
  readonly description: string;
  readonly primaryKey: string;
  readonly cursorField?: string;
  readonly syncModes: readonly ('full' | 'incremental')[];
  readonly params: readonly string[];
}

export interface ActionView {
  readonly name: string;
  readonly description: string;
  readonly idempotence: string;
  /** The options (`with:`) the action takes. */
  readonly options: readonly FieldView[];
  /** True when a preview can look the destination record up (create vs update with diffs). */
  readonly plan: boolean;
}

export interface TriggerView {
  readonly name: string;
  readonly description: string;
  readonly kind: 'webhook' | 'poll';
  readonly stream: string;
}

export interface ConnectionView {
  readonly name: string;
  readonly connector: string;
  readonly description?: string;
  readonly streams: readonly StreamView[];
  readonly actions: readonly ActionView[];
  readonly triggers: readonly TriggerView[];
}

export interface PipelineListItem {
  /** Relative to the project directory, with `/`. */
  readonly file: string;
  readonly name?: string;
  readonly source?: string;
  readonly destination?: string;
  /** First problem of the file, when it does not load. */
  readonly problem?: string;
}

export interface ProjectView {
  readonly projectFile: string;
  readonly baseDir: string;
  readonly connections: readonly ConnectionView[];
  readonly pipelines: readonly PipelineListItem[];
  readonly converters: readonly ConverterView[];
  /** Where a new pipeline file goes by default (relative), e.g. `pipelines`. */
  readonly pipelineDir: string;
  /** How many source records a preview reads. */
  readonly previewLimit: number;
}

/** A problem in a pipeline file, positioned for the editor. */
export interface Problem {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly line?: number;
  readonly column?: number;
  /** The map entry it is about, when it is about one. */
  readonly field?: string;
}

export interface FieldsResponse {
  readonly source: readonly FieldView[];
  readonly target: readonly FieldView[];
  /** The destination accepts fields its schema does not list (a warehouse table grows new columns). */
  readonly targetOpen: boolean;
}

export interface OpenPipelineResponse {
  readonly file: string;
  /** Hash of the file as read; a save with another hash was overtaken by an edit elsewhere. */
  readonly hash: string;
  readonly text: string;
  readonly draft: PipelineDraft;
  readonly problems: readonly Problem[];
}

/** One partition of a source connection (a GHL location), as the partition picker lists it. */
export interface PartitionOption {
  readonly id: string;
  /** What a person calls it (the location's name), when known. */
  readonly label?: string;
}

/** Which records to sample: a stream of a connection, and for a partitioned connection one of its partitions. */
export interface SampleRequest {
  readonly connection: string;
  readonly stream: string;
  readonly params?: Readonly<Record<string, unknown>>;
  /** A partition id of a partitioned connection (default: its first partition). */
  readonly partition?: string;
  readonly refresh?: boolean;
}

export interface SampleResponse {
  readonly records: readonly Record<string, unknown>[];
  /** Schema fields merged with the fields seen in the records. */
  readonly fields: readonly FieldView[];
  readonly primaryKey: string;
  /** The source connection's partitions; present only when it is partitioned. */
  readonly partitions?: readonly PartitionOption[];
  /** The partition the records were read in (present only when the connection is partitioned). */
  readonly partition?: string;
  readonly error?: Problem;
}

export type FieldResult = { readonly value: unknown } | { readonly error: string } | { readonly missing: true };

export type PlanOutcome = 'create' | 'update' | 'unchanged' | 'skip' | 'error';

export interface PreviewRow {
  readonly sourceId?: string;
  readonly source: Record<string, unknown>;
  /** Per target field: its value, why it failed, or that it is left out. */
  readonly fields: Readonly<Record<string, FieldResult>>;
  /** What the destination receives, when the whole map applies. */
  readonly mapped?: Record<string, unknown>;
  readonly outcome?: PlanOutcome;
  readonly targetId?: string;
  readonly diff: readonly { readonly field: string; readonly before: unknown; readonly after: unknown }[];
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string };
}

export interface PreviewRequest {
  readonly file?: string;
  readonly draft: PipelineDraft;
  readonly refresh?: boolean;
  /** For a partitioned source: the partition whose records are previewed and planned (default: the first). */
  readonly partition?: string;
}

export interface PreviewResponse {
  /** The file as it would be saved. */
  readonly text: string;
  readonly problems: readonly Problem[];
  readonly rows: readonly PreviewRow[];
  /** True when the rows carry plan outcomes (the pipeline is valid). */
  readonly planned: boolean;
  /** For a partitioned source: the partition the rows were read and planned in. */
  readonly partition?: string;
  readonly sourceError?: Problem;
}

export interface SaveRequest {
  readonly file: string;
  readonly draft: PipelineDraft;
  /** The hash from `open` (undefined: a new file, which must not exist yet). */
  readonly baseHash?: string;
}

export interface SaveResponse {
  readonly file: string;
  readonly hash: string;
  readonly text: string;
  /** Saved, but worth knowing (the file is outside the project's `pipelines:` patterns). */
  readonly warnings: readonly string[];
}

export interface ErrorResponse {
  readonly error: { readonly code: string; readonly message: string; readonly hint?: string };
  readonly problems?: readonly Problem[];
}
