import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MAIN = fileURLToPath(new URL('../../cli/src/main.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** A `ferry` command running from the repository's sources (node --import tsx cli/src/main.ts). */
export interface FerryProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** The first JSON line on stdout: a long-running command's "ready" (with --json). */
  ready<T>(what: string, timeoutMs: number): Promise<T>;
  /** SIGTERM and the exit code (a graceful stop). */
  stop(): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export function startFerry(args: readonly string[], cwd: string): FerryProcess {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`ferry ${args.join(' ')} did not start`);
  const pid = child.pid;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  return {
    child,
    pid,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async ready<T>(what: string, timeoutMs: number): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Only whole lines: a chunk may end in the middle of the ready line.
        const line = stdout.split('\n').slice(0, -1).find((l) => l.startsWith('{'));
        if (line !== undefined) return JSON.parse(line) as T;
        if (ended) throw new Error(`${what} exited before it was ready:\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`${what} was not ready within ${timeoutMs} ms:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop() {
      if (!ended) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * The most memory the process has held resident so far (VmHWM of /proc/<pid>/status), in MB; undefined where
 * /proc is not there (not Linux) or the process is gone.
 */
export function peakRssMb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}
