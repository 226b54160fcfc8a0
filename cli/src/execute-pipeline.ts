import {
  checkPipelineScopes,
  openTokenVault,
  runPipelineUnit,
  unitProject,
  type PartitionDirectory,
  type PipelineUnit,
  type PlanEntry,
  type RunProgress,
  type RunResult,
  type SyncMode,
  type UnitRuntime,
} from '@ferry/core';
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
export const DRAIN_TIMEOUT_MS = 30_000;

/** What the units of one command share: the runtime contexts are built from, and where progress goes. */
export interface UnitSession {
  readonly runtime: UnitRuntime;
  /** Where the unit came from: the partitions of a pipeline share its contexts of unpartitioned connections. */
  readonly directory?: PartitionDirectory;
  /** Progress of this unit's run (the caller shows it). */
  readonly onProgress: (progress: RunProgress) => void;
}

/** The runtime a command's units are built with: the project, its store and log, and the hard stop. */
export function unitRuntime(ws: Workspace, hardStop: AbortSignal, timeScale: number | undefined): UnitRuntime {
  return {
    project: ws.project(),
    registry: ws.registry,
    store: ws.store(),
    log: ws.logger().logger,
    env: ws.env(),
    signal: hardStop,
    ...(timeScale === undefined ? {} : { timeScale }),
  };
}

/**
 * Runs one unit (a pipeline, or one partition of it) with contexts of its own, whose HTTP stats are this run's.
 * A token that lacks a scope the pipeline needs stops it before anything is read (AUTH_MISSING_SCOPE).
 */
export async function executeUnit(ws: Workspace, unit: PipelineUnit, request: PipelineRunRequest, session: UnitSession): Promise<RunResult> {
  const { runtime } = session;
  const vault = () => openTokenVault({ store: runtime.store, projectDir: runtime.project.baseDir, env: ws.env() });
  checkPipelineScopes([unit.pipeline], unitProject(runtime.project, unit), ws.registry, vault, { env: ws.env(), log: runtime.log });
  return runPipelineUnit(unit, runtime, {
    signal: request.signal,
    trigger: 'manual',
    onProgress: session.onProgress,
    ...(session.directory === undefined ? {} : { directory: session.directory }),
    ...(request.mode === undefined ? {} : { mode: request.mode }),
    ...(request.dryRun === undefined ? {} : { dryRun: request.dryRun }),
    ...(request.limit === undefined ? {} : { limit: request.limit }),
    ...(request.params === undefined ? {} : { params: request.params }),
    ...(request.onPlan === undefined ? {} : { onPlan: request.onPlan }),
    ...(request.replay === undefined ? {} : { replay: request.replay }),
  });
}
