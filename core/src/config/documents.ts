import type { FieldMapSpec, LinkRefSpec } from '../contract/pipeline.js';

/**
 * The shapes of the files once their JSON Schema (config/*.schema.json) has accepted them: only what the
 * schemas guarantee is typed as present.
 */

export interface AuthDocument {
  readonly kind?: 'oauth2' | 'bearer' | 'none';
  readonly token?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly redirectUri?: string;
  readonly scopes?: readonly string[];
}

export interface PartitionDocument {
  readonly id: string;
  readonly label?: string;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly auth?: AuthDocument;
}

export interface ConnectionDocument {
  readonly connector: string;
  readonly description?: string;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly auth?: AuthDocument;
  readonly partitions?: 'discover' | readonly PartitionDocument[];
}

export interface ProjectDocument {
  readonly store?: string;
  readonly redis?: string | { readonly url: string; readonly prefix?: string };
  readonly connections?: Readonly<Record<string, ConnectionDocument>>;
  readonly pipelines?: readonly string[];
  readonly serve?: { readonly host?: string; readonly port?: number; readonly rotate?: string };
  readonly log?: { readonly level?: string; readonly file?: string };
}

export interface TriggerDocument {
  readonly webhook?: string;
  readonly schedule?: string;
}

export interface StepDocument {
  readonly connection?: string;
  readonly action: string;
  readonly match?: readonly string[];
  readonly with?: Readonly<Record<string, unknown>>;
  readonly map?: FieldMapSpec;
  readonly where?: string;
  readonly requireLink?: boolean;
  readonly link?: LinkRefSpec | boolean;
  /** `to` only (the schema allows it nowhere else). */
  readonly partition?: string;
}

export interface IncludeDocument {
  readonly stream: string;
  readonly where?: string;
  readonly map?: FieldMapSpec;
  readonly to: StepDocument & { readonly connection: string };
  readonly prune?: StepDocument;
}

export interface PipelineDocument {
  readonly name: string;
  readonly description?: string;
  readonly on?: readonly TriggerDocument[];
  readonly from: {
    readonly connection: string;
    readonly stream: string;
    readonly sync?: 'full' | 'incremental';
    readonly params?: Readonly<Record<string, unknown>>;
    readonly byId?: { readonly stream: string; readonly param: string };
  };
  readonly where?: string;
  readonly when?: { readonly became: string };
  readonly include?: readonly IncludeDocument[];
  readonly skipEchoes?: boolean;
  readonly to: StepDocument & { readonly connection: string };
  readonly map?: FieldMapSpec;
  readonly then?: readonly StepDocument[];
  readonly concurrency?: number;
  readonly batchSize?: number;
}
