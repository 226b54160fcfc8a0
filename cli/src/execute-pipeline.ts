import {
  checkPipelineScopes,
  combineHttpStats,
  createContextFactory,
  hardStopSignal,
  openTokenVault,
  replayDeadLetters,
  runPipeline,
  type PipelineSpec,
  type PlanEntry,
  type RunProgress,
  type RunResult,
  type SyncMode,
} from '@ferry/core';
import { createProgressDisplay, progressMode } from './progress.js';
import type { Workspace } from './workspace.js';

export interface PipelineRunRequest {
  readonly signal: AbortSignal;
  readonly mode?: SyncMode | undefined;
  readonly dryRun?: boolean | undefined;
  readonly limit?: number | undefined;
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  /** Rate windows run this many times faster (tests against sandboxes). */
  readonly timeScale?: number | undefined;
  readonly onPlan?: ((entry: PlanEntry) => void) | undefined;
  /** Replays the pipeline's open dead letters (all, or these ids) instead of reading the source. */
  readonly replay?: { readonly ids: readonly number[] | undefined } | undefined;
}

/** How long a stopping run's HTTP calls in flight may take before they are aborted. */
const DRAIN_TIMEOUT_MS = 30_000;

/** Runs one pipeline with a fresh context factory (its HTTP stats are this run's), progress on stderr. */
export async function executePipeline(ws: Workspace, pipeline: PipelineSpec, request: PipelineRunRequest): Promise<RunResult> {
  const project = ws.project();
  const store = ws.store();
  const log = ws.logger().logger;
  // Before reading anything: a token that lacks a scope the pipeline needs stops it here (AUTH_MISSING_SCOPE).
  const vault = () => openTokenVault({ store, projectDir: project.baseDir, env: ws.env() });
  checkPipelineScopes([pipeline], project, ws.registry, vault, { env: ws.env(), log });
  // The graceful stop lets the records in flight finish; their HTTP calls are aborted only after the drain time
  // (a second Ctrl-C exits at once).
  const hardStop = hardStopSignal(request.signal, { drainMs: DRAIN_TIMEOUT_MS });
  const contexts = createContextFactory({
    project,
    registry: ws.registry,
    store,
    log,
    env: ws.env(),
    signal: hardStop.signal,
    ...(request.timeScale === undefined ? {} : { timeScale: request.timeScale }),
  });
  const progress = createProgressDisplay({
    label: pipeline.name,
    mode: progressMode({ enabled: ws.options.progress, isTTY: ws.io.stderr.isTTY === true }),
    stream: ws.io.stderr,
  });
  const options = {
    pipeline,
    registry: ws.registry,
    connections: project.connections,
    store,
    context: (connection: string) => contexts.context(connection),
    log,
    signal: request.signal,
    trigger: 'manual',
    onProgress: (p: RunProgress) => progress.update(p),
    stats: () => combineHttpStats(contexts.stats()),
    ...(request.dryRun === undefined ? {} : { dryRun: request.dryRun }),
    ...(request.limit === undefined ? {} : { limit: request.limit }),
    ...(request.params === undefined ? {} : { params: request.params }),
    ...(request.onPlan === undefined ? {} : { onPlan: request.onPlan }),
  };
  try {
    if (request.replay !== undefined) {
      return await replayDeadLetters({
        ...options,
        ...(request.replay.ids === undefined ? {} : { ids: [...request.replay.ids] }),
      });
    }
    return await runPipeline({ ...options, ...(request.mode === undefined ? {} : { mode: request.mode }) });
  } finally {
    hardStop.dispose();
    progress.stop();
    await contexts.close();
  }
}
