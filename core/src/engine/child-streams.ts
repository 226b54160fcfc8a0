import type { ActionRequest, ActionResult, ConnectorDef, StreamDef } from '../contract/connector.js';
import { resolveStream } from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { FieldMapSpec, IncludeSpec, PipelineSpec, StepSpec } from '../contract/pipeline.js';
import type { KeyValueWrite, LinkKey, LinkWrite } from '../contract/store.js';
import { FerryError } from '../errors/ferry-error.js';
import type { CompiledFieldMap, CompiledPredicate } from '../fieldmap/index.js';
import { canonicalJson, contentHash } from '../util/content-hash.js';
import { didYouMeanSuffix } from '../util/did-you-mean.js';
import type { CompiledStep } from './compile-pipeline.js';
import type { LinkLookup, RunLookups, ValueLookup } from './run-lookups.js';
import type { RunTally } from './run-tally.js';

/** kv namespace of the child ids each parent had when it was last read (`children:<pipeline>`). */
export const CHILDREN_NAMESPACE_PREFIX = 'children:';

/** One `include:` entry, resolved and compiled once per run. */
export interface CompiledInclude {
  /** `include[0]`: names the entry in errors. */
  readonly label: string;
  readonly stream: StreamDef;
  readonly ctx: ConnectorContext;
  readonly sourceConnection: string;
  /** The child stream's param, and the parent field its value comes from (`contactId` ← `id`). */
  readonly parentParam: string;
  readonly parentField: string;
  readonly where: CompiledPredicate | undefined;
  readonly map: CompiledFieldMap | undefined;
  readonly to: CompiledStep;
  readonly prune: CompiledStep | undefined;
  readonly targetEntity: string;
  readonly source: ActionRequest['source'];
}

/** What compilePipeline lends to compile the includes with its own rules (positions, contexts, steps). */
export interface IncludeCompilers {
  readonly sourceConnector: ConnectorDef;
  readonly sourceConnection: string;
  readonly sourceCtx: ConnectorContext;
  readonly parentStream: StreamDef;
  /** `file:line:col: ` of a key path. */
  at(keyPath: string): string;
  step(spec: StepSpec, label: string, keyPath: string, isMain: boolean): CompiledStep;
  map(keyPath: string, spec: FieldMapSpec | undefined): CompiledFieldMap | undefined;
  where(keyPath: string, expression: string | undefined): CompiledPredicate | undefined;
  entityOf(step: CompiledStep, streamName: string): string;
}

function compileInclude(pipeline: PipelineSpec, spec: IncludeSpec, index: number, compilers: IncludeCompilers): CompiledInclude {
  const label = `include[${index}]`;
  const { sourceConnector, parentStream } = compilers;
  const declared = sourceConnector.streams.find((candidate) => candidate.name === spec.stream);
  const children = sourceConnector.streams.filter((candidate) => candidate.parent?.stream === parentStream.name).map((candidate) => candidate.name);
  if (declared === undefined) {
    throw new FerryError('CONFIG_UNKNOWN_STREAM', `${compilers.at(`${label}.stream`)}unknown stream '${spec.stream}' for connection '${compilers.sourceConnection}'${didYouMeanSuffix(spec.stream, children)}`, {
      hint: `child streams of '${parentStream.name}': ${children.join(', ') || '(none)'} — see \`ferry catalog ${sourceConnector.name}\``,
      details: { stream: spec.stream },
    });
  }
  const parent = declared.parent;
  if (parent?.stream !== parentStream.name) {
    throw new FerryError('CONFIG_NOT_A_CHILD_STREAM', `${compilers.at(`${label}.stream`)}stream '${spec.stream}' is not read per '${parentStream.name}' record`, {
      hint: `include child streams of '${parentStream.name}' (${children.join(', ') || 'it has none'}), or read '${spec.stream}' in a pipeline of its own`,
      details: { stream: spec.stream, parent: parent?.stream },
    });
  }
  const stream = resolveStream(declared, compilers.sourceCtx.config);
  const to = compilers.step(spec.to, `${label}.to`, `${label}.to`, true);
  return {
    label,
    stream,
    ctx: compilers.sourceCtx,
    sourceConnection: compilers.sourceConnection,
    parentParam: parent.param,
    parentField: parent.from,
    where: compilers.where(`${label}.where`, spec.where),
    map: compilers.map(`${label}.map`, spec.map),
    to,
    prune: spec.prune === undefined ? undefined : compilers.step(spec.prune, `${label}.prune`, `${label}.prune`, false),
    targetEntity: compilers.entityOf(to, stream.name),
    source: { connector: sourceConnector.name, stream: stream.name, schema: stream.schema, primaryKey: stream.primaryKey },
  };
}

export function compileIncludes(pipeline: PipelineSpec, compilers: IncludeCompilers): CompiledInclude[] {
  return (pipeline.include ?? []).map((spec, index) => compileInclude(pipeline, spec, index, compilers));
}

function idText(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return canonicalJson(value);
}

function checkedResult(result: unknown, step: CompiledStep): ActionResult {
  if (typeof result !== 'object' || result === null) throw new TypeError(`action ${step.action.name} returned ${String(result)} instead of a result`);
  return result as ActionResult;
}

/** Where a child failed: the parent's error names the include and the child. */
function childFailure(error: unknown, include: CompiledInclude, childId: string | undefined, stage: string): unknown {
  if (error instanceof FerryError) {
    const where = `${include.label} (${include.stream.name}${childId === undefined ? '' : ` ${childId}`}, ${stage})`;
    return new FerryError(error.code, `${where}: ${error.message}`, {
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      details: { ...error.details, include: include.stream.name, ...(childId === undefined ? {} : { childId }) },
      cause: error,
    });
  }
  return error;
}

interface ChildChanges {
  readonly links: LinkWrite[];
  readonly unlinks: LinkKey[];
  readonly values: KeyValueWrite[];
}

export interface ChildSyncOptions {
  readonly includes: readonly CompiledInclude[];
  /** The run's store reads and commits. */
  readonly lookups: RunLookups;
  readonly pipeline: string;
  /** The run the child links are committed under. */
  readonly runId: number;
  readonly tally: RunTally;
  /** Bound as `$params` in the includes' filters and maps (`$parent` is the parent record). */
  readonly params: Readonly<Record<string, unknown>>;
}

/** The child ids a parent had when it was last read, as `remember` stored them; none when unreadable. */
function storedChildIds(stored: string | undefined): string[] {
  if (stored === undefined) return [];
  try {
    const ids: unknown = JSON.parse(stored);
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/**
 * Reads and writes the child streams of one parent record: every child goes through its include's filter, map,
 * link look-up (unchanged content is not written again) and action; children seen for this parent last time but
 * not now go to the prune action with their linked id, and their links are dropped. The parent's child ids and
 * the links are committed before the parent is acknowledged, so its checkpoint passes it only once this is done.
 * Any failure fails the parent (it is dead-lettered and replayed whole).
 *
 * Store reads go a page at a time: the links of each page of children in one call, and (for includes that prune)
 * the child ids every parent of a page had last time, with those children's links, before the page's parents are
 * synced — so a parent whose children did not change costs no store call of its own.
 */
export class ChildSync {
  readonly #options: ChildSyncOptions;
  readonly #namespace: string;
  readonly #stored: ValueLookup;
  readonly #links: ReadonlyMap<CompiledInclude, LinkLookup>;

  constructor(options: ChildSyncOptions) {
    this.#options = options;
    this.#namespace = `${CHILDREN_NAMESPACE_PREFIX}${options.pipeline}`;
    this.#stored = options.lookups.values(this.#namespace);
    this.#links = new Map(
      options.includes.map((include) => [
        include,
        options.lookups.links({
          sourceConnection: include.sourceConnection,
          sourceStream: include.stream.name,
          targetConnection: include.to.connection,
          targetEntity: include.targetEntity,
        }),
      ]),
    );
  }

  /** Before a page's parents are synced: what their pruning includes stored last time, and those children's links. */
  prefetch(parentIds: readonly string[]): void {
    const pruning = this.#options.includes.filter((include) => include.prune !== undefined);
    if (pruning.length === 0 || parentIds.length === 0) return;
    this.#stored.prefetch(pruning.flatMap((include) => parentIds.map((parentId) => this.#storedKey(include, parentId))));
    for (const include of pruning) {
      const childIds: string[] = [];
      for (const parentId of parentIds) {
        const key = this.#storedKey(include, parentId);
        if (this.#stored.has(key)) childIds.push(...storedChildIds(this.#stored.get(key)));
      }
      this.#linksOf(include).prefetch(childIds);
    }
  }

  async syncParent(parent: JsonRecord, parentId: string): Promise<void> {
    const changes: ChildChanges = { links: [], unlinks: [], values: [] };
    // One include after the other: the run's concurrency bounds the calls in flight, children included.
    let failed: { readonly reason: unknown } | undefined;
    for (const include of this.#options.includes) {
      try {
        await this.#syncInclude(include, parent, parentId, changes);
      } catch (error) {
        failed = { reason: error };
        break;
      }
    }
    // What landed is committed even when a later include failed: its writes happened, their links must not be lost.
    const { links, unlinks, values } = changes;
    if (links.length > 0 || unlinks.length > 0 || values.length > 0) {
      this.#options.lookups.commitBatch({ runId: this.#options.runId, links, deadLetters: [], unlinks, values });
    }
    if (failed !== undefined) throw failed.reason;
  }

  async #syncInclude(include: CompiledInclude, parent: JsonRecord, parentId: string, changes: ChildChanges): Promise<void> {
    const parentValue = parent[include.parentField];
    if (parentValue === undefined || parentValue === null || parentValue === '') return;
    const links = this.#linksOf(include);
    const vars = { params: this.#options.params, parent };
    const seen = new Set<string>();
    const pending: LinkWrite[] = [];
    const request = { mode: 'full' as const, state: undefined, params: { [include.parentParam]: parentValue } };
    try {
      for await (const page of include.stream.read(include.ctx, request)) {
        // The page's links in one store call (none when the parent's page already brought them).
        links.prefetchMissing(page.records.flatMap((record) => idText(record[include.stream.primaryKey]) ?? []));
        for (const record of page.records) {
          const childId = idText(record[include.stream.primaryKey]);
          if (childId !== undefined) seen.add(childId);
          const link = await this.#writeChild(include, record, childId, vars);
          if (link !== undefined) pending.push(link);
        }
      }
    } catch (error) {
      changes.links.push(...pending);
      throw childFailure(error, include, undefined, 'read');
    }
    changes.links.push(...pending);
    if (include.prune === undefined) return;

    const key = this.#storedKey(include, parentId);
    const stored = this.#stored.get(key);
    const before = stored === undefined ? [] : (JSON.parse(stored) as string[]);
    const gone = before.filter((id) => !seen.has(id));
    links.prefetchMissing(gone);
    const pruned = new Set<string>();
    // The ids to remember: this read's, and any gone one not pruned yet (the next read tries it again).
    const remember = (): void => {
      const now = JSON.stringify([...seen, ...gone.filter((id) => !pruned.has(id))].sort());
      if (now !== (stored ?? '[]')) changes.values.push({ namespace: this.#namespace, key, value: now });
    };
    for (const childId of gone) {
      try {
        await this.#pruneChild(include, include.prune, childId, vars, changes);
      } catch (error) {
        remember();
        throw childFailure(error, include, childId, 'prune');
      }
      pruned.add(childId);
    }
    remember();
  }

  /** One child through filter, map, de-duplication and the action; the link to commit when it was written. */
  async #writeChild(include: CompiledInclude, record: JsonRecord, childId: string | undefined, vars: Readonly<Record<string, unknown>>): Promise<LinkWrite | undefined> {
    const { pipeline, tally } = this.#options;
    let mapped: JsonRecord;
    try {
      if (include.where !== undefined && !(await include.where.test(record, vars))) {
        tally.skipped += 1;
        return undefined;
      }
      mapped = include.map === undefined ? record : await include.map.apply(record, vars);
    } catch (error) {
      throw childFailure(error, include, childId, 'map');
    }
    const invalid = include.to.validate(mapped);
    if (invalid !== undefined) throw childFailure(invalid, include, childId, 'validation');
    const hash = contentHash(mapped);
    const links = this.#linksOf(include);
    const key = childId === undefined ? undefined : links.keyOf(childId);
    const link = childId === undefined ? undefined : links.get(childId);
    if (link !== undefined && link.hash === hash) {
      tally.unchanged += 1;
      return undefined;
    }
    const linkedId = link === undefined || link.targetId === '' ? undefined : link.targetId;
    const to = include.to;
    let result: ActionResult;
    try {
      result = checkedResult(
        await to.action.run(to.ctx, {
          input: mapped,
          options: to.options,
          linkedId,
          source: include.source,
          ...(to.match === undefined ? {} : { match: to.match }),
        }),
        to,
      );
    } catch (error) {
      throw childFailure(error, include, childId, `action ${to.action.name}`);
    }
    tally.count(result.outcome);
    const targetId = typeof result.id === 'string' && result.id !== '' ? result.id : (linkedId ?? '');
    if (key === undefined || targetId === '') return undefined;
    return { ...key, pipeline, targetId, hash, content: mapped };
  }

  async #pruneChild(include: CompiledInclude, prune: CompiledStep, childId: string, vars: Readonly<Record<string, unknown>>, changes: ChildChanges): Promise<void> {
    const { tally } = this.#options;
    const links = this.#linksOf(include);
    const key = links.keyOf(childId);
    const link = links.get(childId);
    // Never written by this pipeline (or already pruned): nothing at the destination to remove.
    if (link === undefined || link.targetId === '') return;
    const last = link.content ?? { [include.stream.primaryKey]: childId };
    const input = prune.map === undefined ? {} : await prune.map.apply(last, vars);
    const invalid = prune.validate(input);
    if (invalid !== undefined) throw invalid;
    const result = checkedResult(
      await prune.action.run(prune.ctx, {
        input,
        options: prune.options,
        linkedId: link.targetId,
        source: include.source,
        ...(prune.match === undefined ? {} : { match: prune.match }),
      }),
      prune,
    );
    tally.count(result.outcome);
    changes.unlinks.push(key);
  }

  #linksOf(include: CompiledInclude): LinkLookup {
    const links = this.#links.get(include);
    if (links === undefined) throw new Error(`${include.label} is not an include of this run`);
    return links;
  }

  /** Where the child ids of one parent are kept in the kv area. */
  #storedKey(include: CompiledInclude, parentId: string): string {
    return `${include.stream.name}:${parentId}`;
  }
}
