export type {
  FieldDiff,
  PlanEntry,
  PlanOutcome,
  ReplayDeadLettersOptions,
  RunCallStats,
  RunPipelineOptions,
  RunProgress,
  RunResult,
} from './run-types.js';
export { runPipeline, checkpointKeyOf, FULL_SYNC_SUFFIX } from './run-pipeline.js';
export { replayDeadLetters } from './replay-dead-letters.js';
export { SYSTEMIC_CODES, isSystemic } from './run-errors.js';
