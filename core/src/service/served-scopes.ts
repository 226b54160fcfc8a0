import type { PartitionSpec, PipelineSpec, ProjectSpec } from '../contract/pipeline.js';
import type { ConnectorDef } from '../contract/connector.js';
import { checkPipelineScopes, type ScopeCheckOptions, type VaultSource } from '../auth/check-scopes.js';
import type { ConnectionPartition } from '../runtime/connection-partition.js';
import { unitProject } from '../runtime/pipeline-units.js';

/**
 * The scope check of the service's start: each pipeline as its runs see their connections — once per partition
 * its source connection lists in ferry.yaml (each with its own token), with the partition `to.partition` names.
 * Discovered partitions are checked through their connection: their tokens exist only once discovered, and
 * discovering at start would be an API call. Throws like `checkPipelineScopes`.
 */
export function checkServedScopes(
  pipelines: readonly PipelineSpec[],
  project: ProjectSpec,
  registry: ReadonlyMap<string, ConnectorDef>,
  vault: VaultSource,
  options: ScopeCheckOptions = {},
): void {
  const partitioned = new Map(pipelines.map((pipeline) => [pipeline, runViews(pipeline, project)]));
  // Pipelines without listed partitions are checked together, so that one error names every shortfall.
  checkPipelineScopes(
    pipelines.filter((pipeline) => partitioned.get(pipeline) === undefined),
    project,
    registry,
    vault,
    options,
  );
  for (const [pipeline, views] of partitioned) {
    for (const view of views ?? []) checkPipelineScopes([pipeline], view, registry, vault, options);
  }
}

/** The project as each run of the pipeline sees it; undefined when no connection it uses lists partitions. */
function runViews(pipeline: PipelineSpec, project: ProjectSpec): ProjectSpec[] | undefined {
  const fixed: Record<string, ConnectionPartition> = {};
  const destination = pipeline.to.connection;
  const named = listedPartition(project, destination, pipeline.to.partition);
  if (destination !== pipeline.from.connection && named !== undefined) fixed[destination] = named;
  const source = project.connections[pipeline.from.connection]?.partitions;
  if (source === undefined || source === 'discover') {
    return named === undefined ? undefined : [unitProject(project, { pipeline, partition: '', connections: fixed })];
  }
  return source.map((partition) =>
    unitProject(project, { pipeline, partition: partition.id, connections: { ...fixed, [pipeline.from.connection]: asConnectionPartition(pipeline.from.connection, partition) } }),
  );
}

function listedPartition(project: ProjectSpec, connection: string, id: string | undefined): ConnectionPartition | undefined {
  const partitions = project.connections[connection]?.partitions;
  if (id === undefined || partitions === undefined || partitions === 'discover') return undefined;
  const found = partitions.find((partition) => partition.id === id);
  return found === undefined ? undefined : asConnectionPartition(connection, found);
}

function asConnectionPartition(connection: string, partition: PartitionSpec): ConnectionPartition {
  return {
    connection,
    id: partition.id,
    config: partition.config,
    ...(partition.auth === undefined ? {} : { auth: partition.auth }),
  };
}
