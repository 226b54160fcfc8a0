import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JsonRecord, ServeSandboxOptions } from '@ferry/core';
import type { ParentMessage, ServerMessage } from './sandbox-messages.js';

/** The GHL sandbox served by a child process on loopback. */
export interface SandboxProcess {
  /** Origin the sandbox answers at (http://127.0.0.1:PORT). */
  readonly url: string;
  /** The sandbox instance's stats() (requests, 429s, peaks per location). */
  stats(): Promise<JsonRecord>;
  close(): Promise<void>;
}

const ENTRY = fileURLToPath(new URL('./sandbox-server.ts', import.meta.url));

/**
 * Starts `serveSandbox(ghlSandbox, options)` in a child process. On a two-core machine the client under test
 * and the server then each get a core, as they would on two machines, instead of queueing behind each other
 * on one event loop.
 */
export async function startSandboxProcess(options: ServeSandboxOptions): Promise<SandboxProcess> {
  const child = fork(ENTRY, [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(child.exitCode));
  });
  const waiters = new Set<(message: ServerMessage | undefined) => void>();
  child.on('message', (message: ServerMessage) => {
    for (const waiter of waiters) waiter(message);
  });
  void exited.then(() => {
    for (const waiter of waiters) waiter(undefined);
  });

  /** Resolves with the first message `pick` accepts; rejects when the process ends first. */
  function next<T>(pick: (message: ServerMessage) => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter = (message: ServerMessage | undefined): void => {
        if (message === undefined) {
          waiters.delete(waiter);
          reject(new Error(`the sandbox process exited (code ${String(child.exitCode)})`));
          return;
        }
        const picked = pick(message);
        if (picked === undefined) return;
        waiters.delete(waiter);
        resolve(picked);
      };
      waiters.add(waiter);
      if (child.exitCode !== null) waiter(undefined);
    });
  }
  const send = (message: ParentMessage): void => void child.send(message);

  let url: string;
  try {
    url = await next((m) => (m.type === 'ready' ? m.url : undefined));
  } catch (error) {
    child.kill();
    throw error;
  }
  let lastId = 0;
  return {
    url,
    stats() {
      const id = (lastId += 1);
      const answer = next((m) => (m.type === 'stats' && m.id === id ? m.stats : undefined));
      send({ type: 'stats', id });
      return answer;
    },
    async close() {
      if (child.exitCode !== null) return;
      send({ type: 'close' });
      // A server that does not stop within seconds is killed: a benchmark never leaves a process behind.
      const timer = setTimeout(() => child.kill(), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
