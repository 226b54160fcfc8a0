import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createConnectorRegistry,
  createContextFactory,
  openStore,
  parsePipeline,
  parseProject,
  runPipeline,
  type RunResult,
} from '@ferry/core';
import { sqlite } from '@ferry/connector-builtin';
import { benchSource } from './bench-source.js';
import { quietLogger } from './quiet-logger.js';
import { pipelineYaml } from './records.js';

export interface RunFiles {
  /** The store: checkpoints, links, runs. */
  readonly store: string;
  /** The warehouse the rows are upserted into. */
  readonly warehouse: string;
}

export interface MeasuredRun {
  readonly records: number;
  readonly elapsedMs: number;
  /** CPU time (user + system) the process spent in the run: steadier than wall time on a busy machine. */
  readonly cpuMs: number;
  readonly written: number;
  readonly skipped: number;
}

export interface EngineRunOptions {
  readonly records: number;
  readonly batchSize: number;
  readonly concurrency: number;
}

export function cpuMsSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

export function runFiles(dir: string): RunFiles {
  return { store: join(dir, 'ferry.db'), warehouse: join(dir, 'warehouse.db') };
}

function projectYaml(records: number): string {
  return `store: ferry.db
connections:
  source: { connector: bench-source, config: { count: ${records} } }
  warehouse: { connector: sqlite, config: { path: warehouse.db } }
pipelines: [pipeline.yaml]
`;
}

/**
 * The engine's side: a project and a pipeline written as YAML files in `dir`, loaded and validated as the CLI does,
 * then one incremental run with the real store and the built-in sqlite warehouse. The clock covers the run only.
 */
export async function runEngine(dir: string, options: EngineRunOptions): Promise<MeasuredRun & { readonly result: RunResult }> {
  const registry = createConnectorRegistry([benchSource, sqlite]);
  const projectFile = join(dir, 'ferry.yaml');
  const pipelineFile = join(dir, 'pipeline.yaml');
  writeFileSync(projectFile, projectYaml(options.records));
  writeFileSync(pipelineFile, pipelineYaml(options.batchSize, options.concurrency));
  const env = {};
  const project = parseProject(projectYaml(options.records), projectFile, { registry, env });
  const pipeline = parsePipeline(pipelineYaml(options.batchSize, options.concurrency), pipelineFile, { project, registry, env });
  const store = openStore(project.store, project.baseDir);
  const controller = new AbortController();
  const contexts = createContextFactory({ project, registry, store, log: quietLogger, signal: controller.signal, env });
  try {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const result = await runPipeline({
      pipeline,
      registry,
      connections: project.connections,
      store,
      context: (connection) => contexts.context(connection),
      log: quietLogger,
      signal: controller.signal,
    });
    const elapsedMs = performance.now() - started;
    const cpuMs = cpuMsSince(cpuBefore);
    const { summary } = result;
    return { records: summary.read, elapsedMs, cpuMs, written: summary.created + summary.updated, skipped: summary.skipped, result };
  } finally {
    await contexts.close();
    store.close();
  }
}
