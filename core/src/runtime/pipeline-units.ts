import type { ConnectionSpec, PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import { FerryError } from '../errors/ferry-error.js';
import { didYouMeanSuffix } from '../util/did-you-mean.js';
import { listIds } from '../util/list-ids.js';
import { partitionView, type ConnectionPartition } from './connection-partition.js';
import type { PartitionDirectory } from './partition-directory.js';

/**
 * What runs as one: a pipeline over one partition of its source connection (its own checkpoint, run row,
 * contexts, token and rate-limit budget), or the whole pipeline when its source is not partitioned. A queue
 * carries a unit as (pipeline name, partition id) and gets it back with `expandPipeline(…, { partition })`.
 */
export interface PipelineUnit {
  readonly pipeline: PipelineSpec;
  /** The source connection's partition id; '' when the pipeline is not partitioned. */
  readonly partition: string;
  readonly label?: string;
  /** Connection → the partition it acts in for this unit (the source's, and the one `to.partition` names). */
  readonly connections: Readonly<Record<string, ConnectionPartition>>;
}

/**
 * The project as one unit's scope check sees it: each of its partitioned connections with the partition's config
 * and auth. A partition with a discovered token (a location token) shows no auth to check: its scopes are known
 * only once it is minted, and the API has the last word.
 */
export function unitProject(project: ProjectSpec, unit: PipelineUnit): ProjectSpec {
  const connections: Record<string, ConnectionSpec> = { ...project.connections };
  for (const [name, partition] of Object.entries(unit.connections)) {
    const spec = connections[name];
    if (spec === undefined) continue;
    const view = partitionView(spec, partition);
    connections[name] = partition.token === undefined ? view : { ...view, auth: { kind: 'none' } };
  }
  return { ...project, connections };
}

export interface ExpandOptions {
  /** Only this partition (`--partition`); an unknown id is an error that names the known ones. */
  readonly partition?: string;
}

/** Lists the units of a pipeline: one per partition of its source connection, or one when it has none. */
export async function expandPipeline(pipeline: PipelineSpec, directory: PartitionDirectory, options: ExpandOptions = {}): Promise<PipelineUnit[]> {
  const sourceConnection = pipeline.from.connection;
  const fixed: Record<string, ConnectionPartition> = {};
  const to = pipeline.to.connection;
  if (to !== sourceConnection) {
    const destination = await directory.partitionsOf(to);
    if (destination !== undefined) fixed[to] = pick(pipeline, to, destination, pipeline.to.partition, 'to.partition');
  }

  const partitions = await directory.partitionsOf(sourceConnection);
  if (partitions === undefined) {
    if (options.partition !== undefined) {
      throw new FerryError('CONFIG_UNKNOWN_PARTITION', `pipeline '${pipeline.name}' is not partitioned: connection '${sourceConnection}' declares no partitions`, {
        hint: `run it without --partition, or declare partitions: on connection '${sourceConnection}' in ferry.yaml`,
        details: { pipeline: pipeline.name, partition: options.partition },
      });
    }
    return [{ pipeline, partition: '', connections: fixed }];
  }
  const chosen = options.partition === undefined ? partitions : [pick(pipeline, sourceConnection, partitions, options.partition, '--partition')];
  return chosen.map((partition) => ({
    pipeline,
    partition: partition.id,
    ...(partition.label === undefined ? {} : { label: partition.label }),
    connections: { ...fixed, [sourceConnection]: partition },
  }));
}

function pick(
  pipeline: PipelineSpec,
  connection: string,
  partitions: readonly ConnectionPartition[],
  id: string | undefined,
  given: string,
): ConnectionPartition {
  const ids = partitions.map((partition) => partition.id);
  const known = ids.length === 0 ? 'it has none' : `known: ${listIds(ids)}`;
  if (id === undefined) {
    throw new FerryError('CONFIG_PARTITION_REQUIRED', `pipeline '${pipeline.name}' writes to partitioned connection '${connection}' without saying which partition`, {
      hint: `add ${given}: <id> to the pipeline (${known})`,
      details: { pipeline: pipeline.name, connection },
    });
  }
  const found = partitions.find((partition) => partition.id === id);
  if (found === undefined) {
    throw new FerryError('CONFIG_UNKNOWN_PARTITION', `connection '${connection}' has no partition '${id}' (${given} of pipeline '${pipeline.name}')${didYouMeanSuffix(id, ids)}`, {
      hint: known,
      details: { pipeline: pipeline.name, connection, partition: id },
    });
  }
  return found;
}
