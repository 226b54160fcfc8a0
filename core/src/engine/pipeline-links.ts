import type { ConnectorDef, StreamDef } from '../contract/connector.js';
import type { JsonRecord } from '../contract/json-schema.js';
import type { LinkRefSpec, PipelineSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import type { CompiledFieldMap, CompiledPredicate } from '../fieldmap/index.js';
import { canonicalJson } from '../util/content-hash.js';
import { didYouMeanSuffix } from '../util/did-you-mean.js';
import { BorrowedLinks } from './borrowed-link.js';
import type { CompiledStep } from './compile-pipeline.js';
import { composeWhere, mapWithVars } from './composed-where.js';
import { echoGuard } from './echo-guard.js';
import type { LinkLookup, RunLookups, TargetLookup } from './run-lookups.js';
import { TransitionFilter } from './transition-filter.js';

/** How a pipeline's records are keyed in the link table, and the rules it follows there. */
export interface PipelineLinks {
  /** Source stream the links are kept under: the pipeline's own, or the one `to.link` borrows from. */
  readonly stream: string;
  /** The record field that holds the link's source id. */
  readonly idField: string;
  /** Records with no link to the destination are skipped (`requireLink`, or implied by `to.link`). */
  readonly required: boolean;
  /**
   * `requireLink` (an update of records another pipeline linked): a record this pipeline never wrote is unchanged
   * when the destination already holds its mapped values (the content last written there), so it is not repeated.
   */
  readonly trustsOtherWrites: boolean;
  /** `to.link`: the destination record belongs to another record's link; an action that deletes it drops the link. */
  readonly borrowed: boolean;
  /**
   * `requireLink`: for a record with no link of its own, the destination record it was itself written FROM (links
   * are relations both ways: the Salesmsg contact a GHL contact came from); undefined when there is none.
   */
  readonly reverseOf: ((sourceId: string) => string | undefined) | undefined;
  /** `when.became`: remembers each record's verdict once the record is settled. */
  readonly transition: TransitionFilter | undefined;
  /** The pipeline's links (source id → destination record, and what this pipeline last wrote through it). */
  readonly lookup: LinkLookup;
  /** The latest link to each destination record, with the content last written to it by any pipeline. */
  readonly writtenTo: TargetLookup;
  /**
   * Looks up, in one store call per kind of look-up, everything the filter and the link rules will ask about these
   * records (the first records of a page, before any of them is staged): their links, echoes, remembered verdicts,
   * reverse links and the content last written to their destination records. `filtered` false: the run applies
   * no filter (a replay), so echoes and verdicts are not asked for.
   */
  prefetch(records: readonly JsonRecord[], filtered: boolean): void;
}

export interface PipelineLinksInput {
  readonly pipeline: PipelineSpec;
  readonly lookups: RunLookups;
  readonly stream: StreamDef;
  readonly sourceConnection: string;
  readonly sourceConnector: ConnectorDef;
  readonly to: CompiledStep;
  readonly where: CompiledPredicate | undefined;
  readonly became: CompiledPredicate | undefined;
  readonly map: CompiledFieldMap | undefined;
  at(keyPath: string): string;
}

export interface CompiledPipelineLinks {
  readonly links: PipelineLinks;
  /** The pipeline's filter with the echo guard and `became` folded in, `$link` bound. */
  readonly where: CompiledPredicate | undefined;
  /** The pipeline's map with `$link` bound. */
  readonly map: CompiledFieldMap | undefined;
  readonly targetEntity: string;
}

/** A store without `findLinkFrom`: the latest link to the record, kept when it comes from that connection. */
function fromAmongAll(links: TargetLookup, sourceConnection: string): TargetLookup {
  return {
    prefetch: (targetIds) => links.prefetch(targetIds),
    get: (targetId) => {
      const link = links.get(targetId);
      return link?.sourceConnection === sourceConnection ? link : undefined;
    },
  };
}

/** A record's id as the link table keeps it. */
export function idOfField(field: string): (record: JsonRecord) => string | undefined {
  return (record) => {
    const id = record[field];
    if (id === undefined || id === null || id === '') return undefined;
    if (typeof id === 'string') return id;
    if (typeof id === 'number' || typeof id === 'bigint' || typeof id === 'boolean') return String(id);
    return canonicalJson(id);
  };
}

function borrowedRef(input: PipelineLinksInput): LinkRefSpec | undefined {
  const link = input.pipeline.to.link;
  if (link === undefined || typeof link === 'boolean') return undefined;
  const names = input.sourceConnector.streams.map((stream) => stream.name);
  if (!names.includes(link.stream)) {
    throw new FerryError('CONFIG_UNKNOWN_STREAM', `${input.at('to.link.stream')}unknown stream '${link.stream}' for connection '${input.sourceConnection}'${didYouMeanSuffix(link.stream, names)}`, {
      hint: `to.link names the stream whose records hold the link (e.g. contacts); streams of ${input.sourceConnector.name}: ${names.join(', ')}`,
      details: { stream: link.stream },
    });
  }
  return link;
}

export function compilePipelineLinks(input: PipelineLinksInput): CompiledPipelineLinks {
  const { pipeline, lookups, stream, to } = input;
  const ref = borrowedRef(input);
  const linkStream = ref?.stream ?? stream.name;
  const idField = ref?.id ?? stream.primaryKey;
  const targetEntity = ref?.entity ?? to.entity;
  const ownId = idOfField(stream.primaryKey);
  const linkId = idOfField(idField);
  const lookup = lookups.links({ sourceConnection: input.sourceConnection, sourceStream: linkStream, targetConnection: to.connection, targetEntity });
  const writtenTo = lookups.byTarget(to.connection, targetEntity);
  const trustsOtherWrites = pipeline.to.requireLink === true;

  const borrowed = ref === undefined ? undefined : new BorrowedLinks({ links: lookup, written: writtenTo, idOf: linkId });
  const transition =
    input.became === undefined ? undefined : new TransitionFilter({ predicate: input.became, lookups, pipeline: pipeline.name, idOf: ownId });
  // What the source's records are called as the destination of a link (`contacts` for `contacts`, `contact.tasks`…).
  const sourceEntity = stream.name.split('.')[0] ?? stream.name;
  const echo = pipeline.skipEchoes === true ? echoGuard({ writes: lookups.byTarget(input.sourceConnection, sourceEntity), idOf: ownId }) : undefined;
  // `requireLink`: the destination record this record was itself written from (a link from the destination's connection).
  const reverse =
    pipeline.to.requireLink === true && ref === undefined
      ? (lookups.from(to.connection, input.sourceConnection, sourceEntity) ?? fromAmongAll(lookups.byTarget(input.sourceConnection, sourceEntity), to.connection))
      : undefined;
  const reverseOf =
    reverse === undefined
      ? undefined
      : (sourceId: string): string | undefined => {
          const link = reverse.get(sourceId);
          return link === undefined || link.sourceId === '' ? undefined : link.sourceId;
        };

  const prefetch = (records: readonly JsonRecord[], filtered: boolean): void => {
    const ids: string[] = [];
    for (const record of records) {
      const id = linkId(record);
      if (id !== undefined) ids.push(id);
    }
    lookup.prefetch(ids);
    if (filtered) {
      echo?.prefetch(records);
      transition?.prefetch(records);
    }
    // Only records without a link of their own ask for the reverse one.
    if (reverse !== undefined) reverse.prefetch(ids.filter((id) => !lookup.has(id) || lookup.get(id) === undefined));
    if (borrowed !== undefined) borrowed.prefetch(records);
    else if (trustsOtherWrites) {
      // A link this pipeline never wrote through: is the destination record already as it would write it?
      const targets: string[] = [];
      for (const id of ids) {
        const link = lookup.has(id) ? lookup.get(id) : undefined;
        if (link !== undefined && link.hash === undefined && link.targetId !== '') targets.push(link.targetId);
      }
      writtenTo.prefetch(targets);
    }
  };

  return {
    links: {
      stream: linkStream,
      idField,
      required: pipeline.to.requireLink === true || ref !== undefined,
      trustsOtherWrites,
      reverseOf,
      borrowed: ref !== undefined,
      transition,
      lookup,
      writtenTo,
      prefetch,
    },
    where: composeWhere([echo, input.where, transition], borrowed?.vars),
    map: input.map === undefined || borrowed === undefined ? input.map : mapWithVars(input.map, borrowed.vars),
    targetEntity,
  };
}
