import { spawnFerry, waitFor } from './ferry-cli.js';
import { checkpointOffset, readCheckpoint } from './checkpoint-probe.js';

export interface CrashLoopOptions {
  readonly projectDir: string;
  readonly storeFile: string;
  readonly pipeline: string;
  /** Size of the source file: kill points are spread over it. */
  readonly sourceBytes: number;
  /** How many times to SIGKILL a run before letting one finish. */
  readonly kills: number;
  /** A kill lands up to this long after the checkpoint passed its random target. */
  readonly maxDelayMs: number;
  /** Called after each kill with the committed checkpoint offset (assert the invariants there). */
  readonly afterKill: (offset: number, kill: number) => void;
  readonly random?: () => number;
}

/**
 * Starts `ferry run <pipeline>` again and again and SIGKILLs each attempt at a random point of the file: once
 * its checkpoint passes a random target between the last checkpoint and the end (spread so that the kills cover
 * the whole file), plus a random delay. Stops after `kills` kills, or when an attempt finishes first.
 * Returns the kills done.
 */
export async function killAndResume(options: CrashLoopOptions): Promise<number> {
  const random = options.random ?? Math.random;
  let kills = 0;
  let lastOffset = checkpointOffset(readCheckpoint(options.storeFile, options.pipeline));
  while (kills < options.kills) {
    const remaining = options.kills - kills;
    const target = lastOffset + 1 + Math.floor(random() * ((options.sourceBytes - lastOffset) / (remaining + 1)));
    const running = spawnFerry(['run', options.pipeline, '--no-progress'], { cwd: options.projectDir, timeoutMs: 600_000 });
    let finished = false;
    void running.exited.then(() => (finished = true));
    await waitFor(
      () => (finished || checkpointOffset(readCheckpoint(options.storeFile, options.pipeline)) >= target ? true : undefined),
      `a checkpoint past byte ${target}`,
      300_000,
      5,
    );
    if (finished) return kills;
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * options.maxDelayMs)));
    running.child.kill('SIGKILL');
    const out = await running.exited;
    if (out.signal !== 'SIGKILL') return kills; // it finished before the kill landed
    kills += 1;
    lastOffset = checkpointOffset(readCheckpoint(options.storeFile, options.pipeline));
    options.afterKill(lastOffset, kills);
  }
  return kills;
}
