import {
  FerryError,
  canonicalJson,
  compileFieldMap,
  createPartitionDirectory,
  expandPipeline,
  isFerryError,
  runPipelineUnit,
  type ConnectorRegistry,
  type JsonRecord,
  type Logger,
  type PipelineSpec,
  type PlanEntry,
  type ProjectSpec,
  type Store,
  type TokenVault,
  type UnitRuntime,
} from '@ferry/core';
import type { FieldResult, MapEntry, PreviewRow } from '../shared/api-types.js';

/** Each entry compiled on its own, so that one broken entry still leaves the others' values to show. */
interface EntryPreview {
  readonly field: string;
  apply(record: JsonRecord): Promise<FieldResult>;
}

function message(error: unknown): string {
  return isFerryError(error) || error instanceof Error ? error.message : String(error);
}

/** The value a compiled single-entry map wrote for a target field (dotted names nest objects). */
function written(out: JsonRecord, field: string): FieldResult {
  let current: unknown = out;
  for (const key of field.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return { missing: true };
    current = (current as JsonRecord)[key];
  }
  return { value: current };
}

function compileEntry(field: string, entry: MapEntry): EntryPreview {
  try {
    const compiled = compileFieldMap({ [field]: entry });
    return {
      field,
      async apply(record) {
        try {
          return written(await compiled.apply(record, { params: {} }), field);
        } catch (error) {
          return { error: isFerryError(error) && typeof error.details['reason'] === 'string' ? error.details['reason'] : message(error) };
        }
      },
    };
  } catch (error) {
    const reason = message(error);
    return { field, apply: () => Promise.resolve({ error: reason }) };
  }
}

/** Per target field, for each record: the value the entry gives, why it fails, or that it is left out. */
export async function previewFields(map: Readonly<Record<string, MapEntry>>, records: readonly JsonRecord[]): Promise<Record<string, FieldResult>[]> {
  const entries = Object.entries(map).map(([field, entry]) => compileEntry(field, entry));
  return Promise.all(
    records.map(async (record) => {
      const results = await Promise.all(entries.map(async (entry) => [entry.field, await entry.apply(record)] as const));
      return Object.fromEntries(results);
    }),
  );
}

export interface PlanOptions {
  readonly project: ProjectSpec;
  readonly registry: ConnectorRegistry;
  readonly store: Store;
  readonly vault?: TokenVault | undefined;
  readonly log: Logger;
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  readonly timeScale?: number | undefined;
  readonly signal: AbortSignal;
  /** For a partitioned source: the partition the records were read in, whose unit plans them (default: the first). */
  readonly partition?: string | undefined;
}

export interface PlanResult {
  /** One entry per record, in the records' order (undefined where the run said nothing about a record). */
  readonly entries: readonly (PlanEntry | undefined)[];
  readonly mapped: readonly (JsonRecord | undefined)[];
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string };
}

function sourceIdOf(record: JsonRecord, primaryKey: string): string | undefined {
  const id = record[primaryKey];
  if (id === undefined || id === null || id === '') return undefined;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' || typeof id === 'boolean' || typeof id === 'bigint') return String(id);
  return canonicalJson(id);
}

type PlanError = NonNullable<PlanResult['error']>;

function planError(error: { readonly code: string; readonly message: string; readonly hint?: string | undefined }): PlanError {
  return { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }) };
}

/** Each record mapped as the destination would receive it (undefined where the map fails on it). */
async function mapRecords(pipeline: PipelineSpec, records: readonly JsonRecord[]): Promise<(JsonRecord | undefined)[]> {
  const mapper = compileFieldMap(pipeline.map);
  return Promise.all(
    records.map(async (record) => {
      if (pipeline.passThrough === true) return record;
      try {
        return await mapper.apply(record, { params: pipeline.from.params ?? {} });
      } catch {
        return undefined;
      }
    }),
  );
}

/**
 * What a run would do to each record: the engine's own dry run (`ferry plan`) over exactly these records, so the
 * link table and the destination's look-up decide create, update or unchanged, and nothing is written. It runs as
 * the pipeline's unit: over a partitioned source, as the partition the records came from (its contexts, its
 * links and checkpoint partition), as `ferry plan --partition` would.
 */
export async function planRecords(pipeline: PipelineSpec, records: readonly JsonRecord[], primaryKey: string, options: PlanOptions): Promise<PlanResult> {
  const runtime: UnitRuntime = {
    project: options.project,
    registry: options.registry,
    store: options.store,
    ...(options.vault === undefined ? {} : { vault: options.vault }),
    log: options.log,
    signal: options.signal,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
  };
  const byId = new Map<string, PlanEntry[]>();
  const withoutId: PlanEntry[] = [];
  const mapped = await mapRecords(pipeline, records);
  const directory = createPartitionDirectory(runtime);
  try {
    let error: PlanError | undefined;
    try {
      const [unit] = await expandPipeline(pipeline, directory, options.partition === undefined ? {} : { partition: options.partition });
      if (unit === undefined) {
        throw new FerryError('STUDIO_NO_PARTITIONS', `connection '${pipeline.from.connection}' has no partitions to plan in`, {
          hint: `list partitions under '${pipeline.from.connection}' in ferry.yaml, or install the app in a location when it uses \`partitions: discover\``,
        });
      }
      const result = await runPipelineUnit(unit, runtime, {
        dryRun: true,
        records,
        limit: records.length,
        trigger: 'studio',
        signal: options.signal,
        directory,
        onPlan(entry) {
          if (entry.sourceId === undefined) withoutId.push(entry);
          else byId.set(entry.sourceId, [...(byId.get(entry.sourceId) ?? []), entry]);
        },
      });
      if (result.error !== undefined) error = planError(result.error);
    } catch (thrown) {
      // The units could not be listed (a destination partition not named, discovery refused): said, not thrown.
      if (!isFerryError(thrown)) throw thrown;
      error = planError(thrown);
    }
    const entries = records.map((record) => {
      const id = sourceIdOf(record, primaryKey);
      return id === undefined ? withoutId.shift() : byId.get(id)?.shift();
    });
    return { entries, mapped, ...(error === undefined ? {} : { error }) };
  } finally {
    await directory.close();
  }
}

/** Joins a record's field results and its plan entry into the row the preview table shows. */
export function previewRow(source: JsonRecord, primaryKey: string, fields: Record<string, FieldResult>, mapped: JsonRecord | undefined, entry: PlanEntry | undefined): PreviewRow {
  const sourceId = sourceIdOf(source, primaryKey);
  return {
    ...(sourceId === undefined ? {} : { sourceId }),
    source,
    fields,
    ...(mapped === undefined ? {} : { mapped }),
    ...(entry === undefined ? {} : { outcome: entry.outcome }),
    ...(entry?.targetId === undefined ? {} : { targetId: entry.targetId }),
    diff: entry?.diff ?? [],
    ...(entry?.error === undefined
      ? {}
      : { error: { code: entry.error.code, message: entry.error.message, ...(entry.error.hint === undefined ? {} : { hint: entry.error.hint }) } }),
  };
}
