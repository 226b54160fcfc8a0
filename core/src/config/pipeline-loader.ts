import { resolve } from 'node:path';
import type { IncludeSpec, PipelineSpec, ProjectSpec, StepSpec, TriggerSpec } from '../contract/pipeline.js';
import { ConfigError, displayPath, throwProblems } from './config-error.js';
import type { ConnectorRegistry } from './connector-registry.js';
import type { IncludeDocument, PipelineDocument, StepDocument } from './documents.js';
import type { Environment } from './env-references.js';
import { childPointer, pointerOf } from './json-pointer.js';
import { loadDocument } from './load-document.js';
import { checkFieldMap, checkWhere } from './pipeline-expressions.js';
import { checkPipelineReferences } from './pipeline-references.js';
import { checkLinkReferences } from './pipeline-link-references.js';
import { checkPipelinePartitions } from './pipeline-partitions.js';
import { readConfigFile } from './read-config-file.js';

export interface PipelineLoadOptions {
  readonly project: ProjectSpec;
  readonly registry: ConnectorRegistry;
  /** Where `${VAR}` values come from (default: process.env). */
  readonly env?: Environment;
}

/** Reads and validates one pipeline file; throws ConfigError naming file:line:column. */
export function loadPipeline(file: string, options: PipelineLoadOptions): PipelineSpec {
  const absolute = resolve(file);
  return parsePipeline(readConfigFile(absolute), absolute, options);
}

/**
 * Validates the text of a pipeline file against its schema, the project's connections and the connectors,
 * and compiles its expressions and field maps. `file` names it in errors; nothing is read from disk.
 */
export function parsePipeline(text: string, file: string, options: PipelineLoadOptions): PipelineSpec {
  const loaded = loadDocument(text, file, 'pipeline', options.env ?? process.env);
  const doc = loaded.value as PipelineDocument;
  const { source } = loaded;

  const references = checkPipelineReferences(doc, loaded, options.project, options.registry);
  const problems: ConfigError[] = [
    ...references.problems,
    ...checkLinkReferences(doc, loaded, options.project, options.registry),
    ...checkPipelinePartitions(doc, loaded, options.project),
  ];
  const compileProblems = [
    doc.where === undefined ? undefined : checkWhere(doc.where, '/where', source),
    doc.map === undefined ? undefined : checkFieldMap(doc.map, '/map', source),
    ...(doc.then ?? []).flatMap((step, index) => {
      const pointer = pointerOf(['then', index]);
      return [
        step.where === undefined ? undefined : checkWhere(step.where, childPointer(pointer, 'where'), source),
        step.map === undefined ? undefined : checkFieldMap(step.map, childPointer(pointer, 'map'), source),
      ];
    }),
    doc.when === undefined ? undefined : checkWhere(doc.when.became, '/when/became', source),
    ...(doc.include ?? []).flatMap((include, index) => {
      const pointer = pointerOf(['include', index]);
      return [
        include.where === undefined ? undefined : checkWhere(include.where, childPointer(pointer, 'where'), source),
        include.map === undefined ? undefined : checkFieldMap(include.map, childPointer(pointer, 'map'), source),
        include.prune?.map === undefined ? undefined : checkFieldMap(include.prune.map, pointerOf(['include', index, 'prune', 'map']), source),
      ];
    }),
  ];
  for (const problem of compileProblems) if (problem !== undefined) problems.push(problem);
  throwProblems(problems);

  const to = stepSpec(doc.to, doc.to.connection, references.toOptions);
  return {
    name: doc.name,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    file: resolve(file),
    on: (doc.on ?? []).map(
      (trigger): TriggerSpec => ({
        ...(trigger.webhook === undefined ? {} : { webhook: trigger.webhook }),
        ...(trigger.schedule === undefined ? {} : { schedule: trigger.schedule }),
      }),
    ),
    from: {
      connection: doc.from.connection,
      stream: doc.from.stream,
      sync: references.sync,
      ...(references.params === undefined ? {} : { params: references.params }),
      ...(doc.from.byId === undefined ? {} : { byId: { stream: doc.from.byId.stream, param: doc.from.byId.param } }),
    },
    ...(doc.where === undefined ? {} : { where: doc.where }),
    ...(doc.when === undefined ? {} : { when: { became: doc.when.became } }),
    ...(doc.include === undefined ? {} : { include: doc.include.map(includeSpec) }),
    ...(doc.skipEchoes === undefined ? {} : { skipEchoes: doc.skipEchoes }),
    to,
    map: doc.map ?? {},
    ...(doc.map === undefined ? { passThrough: true } : {}),
    // oxlint-disable-next-line unicorn/no-thenable -- the contract's follow-up steps; a PipelineSpec is never awaited
    then: (doc.then ?? []).map((step, index) => stepSpec(step, step.connection ?? doc.to.connection, references.thenOptions[index])),
    ...(doc.concurrency === undefined ? {} : { concurrency: doc.concurrency }),
    ...(doc.batchSize === undefined ? {} : { batchSize: doc.batchSize }),
    positions: source.keyPositions(),
  };
}

function stepSpec(step: StepDocument, connection: string, options: Readonly<Record<string, unknown>> | undefined): StepSpec {
  return {
    connection,
    action: step.action,
    ...(step.match === undefined ? {} : { match: step.match }),
    ...(options === undefined ? {} : { with: options }),
    ...(step.map === undefined ? {} : { map: step.map }),
    ...(step.where === undefined ? {} : { where: step.where }),
    ...(step.requireLink === undefined ? {} : { requireLink: step.requireLink }),
    ...(step.link === undefined ? {} : { link: step.link }),
    ...(step.partition === undefined ? {} : { partition: step.partition }),
  };
}

function includeSpec(include: IncludeDocument): IncludeSpec {
  return {
    stream: include.stream,
    ...(include.where === undefined ? {} : { where: include.where }),
    ...(include.map === undefined ? {} : { map: include.map }),
    to: stepSpec(include.to, include.to.connection, include.to.with),
    ...(include.prune === undefined ? {} : { prune: stepSpec(include.prune, include.prune.connection ?? include.to.connection, include.prune.with) }),
  };
}

/**
 * Loads every pipeline file of the project. Names must be unique: checkpoints and links are stored under
 * them. All files are checked; the first problem is thrown with the others attached.
 */
export function loadPipelines(project: ProjectSpec, registry: ConnectorRegistry, env?: Environment): PipelineSpec[] {
  const pipelines: PipelineSpec[] = [];
  const problems: ConfigError[] = [];
  const byName = new Map<string, PipelineSpec>();
  for (const file of project.pipelineFiles) {
    let pipeline: PipelineSpec;
    try {
      pipeline = loadPipeline(file, { project, registry, ...(env === undefined ? {} : { env }) });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(error, ...error.others);
      continue;
    }
    const first = byName.get(pipeline.name);
    if (first !== undefined) {
      const at = pipeline.positions['name'] ?? { file: pipeline.file, line: 1, column: 1 };
      const firstAt = first.positions['name'] ?? { file: first.file, line: 1, column: 1 };
      problems.push(
        new ConfigError('CONFIG_DUPLICATE_PIPELINE', at, `pipeline name '${pipeline.name}' is already used by ${displayPath(firstAt.file)}:${firstAt.line}`, {
          hint: 'give each pipeline its own name (checkpoints and links are kept per name)',
          details: { name: pipeline.name, first: first.file },
        }),
      );
      continue;
    }
    byName.set(pipeline.name, pipeline);
    pipelines.push(pipeline);
  }
  throwProblems(problems.map((problem) => (problem.others.length === 0 ? problem : stripOthers(problem))));
  return pipelines;
}

function stripOthers(problem: ConfigError): ConfigError {
  return new ConfigError(problem.code, problem, problem.reason, {
    hint: problem.hint ?? '',
    details: Object.fromEntries(Object.entries(problem.details).filter(([key]) => !['file', 'line', 'column', 'others'].includes(key))),
    ...(problem.cause === undefined ? {} : { cause: problem.cause }),
  });
}
