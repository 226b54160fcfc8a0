import type { PipelineSpec } from '../contract/pipeline.js';

/** How pipelines use one connection: which read it (their source) and which run actions on it. */
export interface ConnectionUse {
  readonly reads: boolean;
  readonly writes: boolean;
  /** Pipelines whose `from` is the connection. */
  readonly readBy: readonly string[];
  /** Pipelines whose `to` or a `then` step acts on the connection. */
  readonly writtenBy: readonly string[];
}

/** Every connection a pipeline touches, and whether it reads it, writes through it, or both. */
export function pipelineConnections(pipeline: PipelineSpec): Map<string, { reads: boolean; writes: boolean }> {
  const uses = new Map<string, { reads: boolean; writes: boolean }>();
  const use = (connection: string) => {
    let found = uses.get(connection);
    if (found === undefined) {
      found = { reads: false, writes: false };
      uses.set(connection, found);
    }
    return found;
  };
  use(pipeline.from.connection).reads = true;
  for (const step of [pipeline.to, ...pipeline.then]) use(step.connection).writes = true;
  return uses;
}

/** How the given pipelines use `connection` (neither reads nor writes when none of them touches it). */
export function connectionUse(pipelines: readonly PipelineSpec[], connection: string): ConnectionUse {
  const readBy: string[] = [];
  const writtenBy: string[] = [];
  for (const pipeline of pipelines) {
    const use = pipelineConnections(pipeline).get(connection);
    if (use?.reads === true) readBy.push(pipeline.name);
    if (use?.writes === true) writtenBy.push(pipeline.name);
  }
  return { reads: readBy.length > 0, writes: writtenBy.length > 0, readBy, writtenBy };
}
