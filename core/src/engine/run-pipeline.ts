import type { StreamDef, SyncMode } from '../contract/connector.js';
import type { CheckpointKey } from '../contract/store.js';
import { FerryError } from '../errors/ferry-error.js';
import { compilePipeline } from './compile-pipeline.js';
import { PipelineRun } from './pipeline-run.js';
import { recordPages } from './record-pages.js';
import { byIdPages } from './by-id-read.js';
import type { RunPipelineOptions, RunResult } from './run-types.js';

/** Suffix of the checkpoint that holds a `--full` sync's progress, so that a killed full sync resumes. */
export const FULL_SYNC_SUFFIX = '#full';

/** Where a pipeline's stream keeps its position: one key per partition ('' when the pipeline is not partitioned). */
export function checkpointKeyOf(pipeline: string, stream: string, mode: SyncMode, partition = ''): CheckpointKey {
  return { pipeline, stream: mode === 'full' ? `${stream}${FULL_SYNC_SUFFIX}` : stream, partition };
}

function checkReadable(stream: StreamDef, mode: SyncMode, params: Readonly<Record<string, unknown>>, pipelineName: string): void {
  if (!stream.syncModes.includes(mode)) {
    throw new FerryError('SYNC_MODE_UNSUPPORTED', `stream '${stream.name}' does not support ${mode} syncs (it supports: ${stream.syncModes.join(', ')})`, {
      hint: `set \`from.sync: ${stream.syncModes[0] ?? 'full'}\` in pipeline '${pipelineName}'${mode === 'full' ? ' and run without --full' : ''}`,
      details: { stream: stream.name, mode },
    });
  }
  const parent = stream.parent;
  if (parent !== undefined && params[parent.param] === undefined) {
    throw new FerryError('PARAM_MISSING', `stream '${stream.name}' is read per ${parent.stream} record and needs the param '${parent.param}'`, {
      hint: `pass --param ${parent.param}=<id>, or set from.params.${parent.param} in pipeline '${pipelineName}'`,
      details: { stream: stream.name, param: parent.param },
    });
  }
}

/**
 * Runs one pipeline. Problems found before anything is read (unknown stream, bad map, unsupported mode) reject
 * with a FerryError; everything after resolves with a RunResult whose status says how the run ended.
 */
export async function runPipeline(options: RunPipelineOptions): Promise<RunResult> {
  const { pipeline, store } = options;
  const compiled = compilePipeline(options);
  const { stream, sourceCtx } = compiled;
  const params = { ...pipeline.from.params, ...options.params };

  if (options.records !== undefined) {
    const records = options.records;
    return PipelineRun.execute({
      compiled,
      options,
      runMode: 'records',
      pages: () => recordPages(records),
      checkpointKey: undefined,
      params,
      applyWhere: true,
    });
  }

  const mode = options.mode ?? pipeline.from.sync;
  const oneRecord = byIdPages(options, compiled, params);
  if (oneRecord !== undefined) {
    // A read of one record by id: like any targeted read, it leaves the stream's checkpoint where it is.
    return PipelineRun.execute({ compiled, options, runMode: 'by-id', pages: oneRecord, checkpointKey: undefined, params, applyWhere: true });
  }
  checkReadable(stream, mode, params, pipeline.name);
  // Explicit params make a targeted read (one contact's notes, one id): it says nothing about the stream's cursor.
  const targeted = options.params !== undefined && Object.keys(options.params).length > 0;
  const checkpointing = options.dryRun !== true && !targeted;
  const partition = options.partition ?? '';
  const stateKey = checkpointKeyOf(pipeline.name, stream.name, mode, partition);
  const state = targeted ? undefined : store.getCheckpoint(stateKey);

  const completeFullSync = (finalState: Record<string, unknown> | undefined, runId: number): void => {
    const handOver = finalState ?? state;
    // The full sync's end is where incremental syncs continue from.
    if (handOver !== undefined && stream.syncModes.includes('incremental')) {
      store.commitBatch({ runId, checkpoint: { key: checkpointKeyOf(pipeline.name, stream.name, 'incremental', partition), state: handOver }, links: [], deadLetters: [] });
    }
    store.clearCheckpoint(stateKey);
  };

  return PipelineRun.execute({
    compiled,
    options,
    runMode: mode,
    pages: () => stream.read(sourceCtx, { mode, state, params }),
    checkpointKey: checkpointing ? stateKey : undefined,
    params,
    applyWhere: true,
    ...(checkpointing && mode === 'full' ? { onSourceCompleted: completeFullSync } : {}),
  });
}
