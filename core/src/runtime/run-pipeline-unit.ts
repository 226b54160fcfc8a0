import type { ConnectorContext } from '../contract/context.js';
import type { HttpStats } from '../contract/http.js';
import { replayDeadLetters } from '../engine/replay-dead-letters.js';
import { runPipeline } from '../engine/run-pipeline.js';
import type { RunPipelineOptions, RunProgress, RunResult } from '../engine/run-types.js';
import { createContextFactory } from './context-factory.js';
import type { PartitionDirectory, UnitRuntime } from './partition-directory.js';
import type { PipelineUnit } from './pipeline-units.js';
import { combineHttpStats } from './run-call-stats.js';

/** How one unit runs: the engine's options that are not fixed by the unit and its runtime. */
export interface UnitRunOptions
  extends Omit<RunPipelineOptions, 'pipeline' | 'registry' | 'connections' | 'store' | 'context' | 'log' | 'stats' | 'partition'> {
  /** Each context the run builds, once (the service watches their limiters). */
  readonly onContext?: (context: ConnectorContext) => void;
  /** HTTP counters of the unit's connections, with every progress report and once at the end. */
  readonly onCalls?: (stats: Readonly<Record<string, HttpStats>>) => void;
  /**
   * Replays the open dead letters of the unit's partition (all, or these ids) instead of reading the source: a
   * partitioned pipeline's letters go back through the partition that dead-lettered them.
   */
  readonly replay?: { readonly ids?: readonly number[] | undefined };
  /**
   * The directory the unit came from: a partition's unpartitioned connections are its shared contexts (their
   * calls are counted there, not in the partition's run).
   */
  readonly directory?: PartitionDirectory;
}

/**
 * Runs one unit with contexts of its own: each connection in the unit's partition (config, token, rate-limit
 * budget), the checkpoint of that partition, and HTTP counters that are this run's. The CLI, the service and
 * workers all run pipelines through here.
 */
export async function runPipelineUnit(unit: PipelineUnit, runtime: UnitRuntime, options: UnitRunOptions = {}): Promise<RunResult> {
  const log = unit.partition === '' ? runtime.log : runtime.log.child({ partition: unit.partition });
  const contexts = createContextFactory({ ...runtime, log, partitions: unit.connections });
  const { onContext, onCalls, replay, onProgress, directory, ...run } = options;
  const shared = unit.partition === '' ? undefined : directory;
  const engine = {
    ...run,
    pipeline: unit.pipeline,
    registry: runtime.registry,
    connections: runtime.project.connections,
    store: runtime.store,
    log,
    context: (connection: string) => {
      const context = shared === undefined || unit.connections[connection] !== undefined ? contexts.context(connection) : shared.sharedContext(connection);
      onContext?.(context);
      return context;
    },
    stats: () => combineHttpStats(contexts.stats()),
    onProgress: (progress: RunProgress) => {
      onProgress?.(progress);
      onCalls?.(contexts.stats());
    },
    ...(unit.partition === '' ? {} : { partition: unit.partition }),
  };
  try {
    if (replay !== undefined) {
      return await replayDeadLetters({ ...engine, ...(replay.ids === undefined ? {} : { ids: [...replay.ids] }) });
    }
    return await runPipeline(engine);
  } finally {
    onCalls?.(contexts.stats());
    await contexts.close();
  }
}
