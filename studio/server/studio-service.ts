import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { parse } from 'yaml';
import {
  FerryError,
  configSchemaPath,
  loadProject,
  parsePipeline,
  resolveStream,
  type ConnectorRegistry,
  type JsonRecord,
  type Logger,
  type PipelineSpec,
  type ProjectSpec,
  type Store,
  type TokenVault,
} from '@ferry/core';
import type {
  FieldView,
  FieldsResponse,
  OpenPipelineResponse,
  PipelineDraft,
  PipelineListItem,
  PreviewRequest,
  PreviewResponse,
  Problem,
  ProjectView,
  SampleResponse,
  SaveRequest,
  SaveResponse,
} from '../shared/api-types.js';
import { connectionViews, converterViews, fieldViews } from './catalog-view.js';
import { readPipelineText, renderPipeline } from './pipeline-document.js';
import { planRecords, previewFields, previewRow } from './preview.js';
import { problemsOf } from './problems.js';
import { projectRelative, resolvePipelinePath } from './project-path.js';
import { fieldsOfRecords, fieldsOfSchema, mergeFields } from './schema-fields.js';
import { SampleReader, type SampleSource } from './source-sample.js';

export interface StudioServiceOptions {
  /** Absolute path of ferry.yaml; it is read again for every request, so edits made elsewhere show up. */
  readonly projectFile: string;
  readonly registry: ConnectorRegistry;
  /** Variables for `${ENV}` references and bearer tokens (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly store: Store;
  readonly vault?: TokenVault;
  readonly log: Logger;
  /** Source records a preview reads (default 20). */
  readonly previewLimit?: number;
  /** Rate windows run this many times faster (sandboxes). */
  readonly timeScale?: number;
}

/** A save that would write a file the loader refuses; nothing was written. */
export class SaveRejected extends FerryError<'STUDIO_SAVE_INVALID'> {
  constructor(readonly problems: readonly Problem[]) {
    super('STUDIO_SAVE_INVALID', `the pipeline has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was saved`, {
      hint: 'fix the problems listed (each names its line and column), then save again',
    });
  }
}

export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Writes through a temporary file in the same directory, so a crash never leaves half a pipeline. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = join(dirname(file), `.${randomBytes(6).toString('hex')}.ferry-studio.tmp`);
  writeFileSync(temporary, text, { flag: 'wx' });
  renameSync(temporary, file);
}

/** Everything the studio's API does, without HTTP: the server routes requests here. */
export class StudioService {
  readonly #options: StudioServiceOptions;
  readonly #samples: SampleReader;
  readonly previewLimit: number;

  constructor(options: StudioServiceOptions) {
    this.#options = options;
    this.previewLimit = options.previewLimit ?? 20;
    this.#samples = new SampleReader({
      registry: options.registry,
      store: options.store,
      vault: options.vault,
      log: options.log,
      env: options.env,
      timeScale: options.timeScale,
    });
  }

  project(): ProjectSpec {
    return loadProject(this.#options.projectFile, { registry: this.#options.registry, ...(this.#options.env === undefined ? {} : { env: this.#options.env }) });
  }

  #descriptions(): Record<string, string> {
    try {
      const data: unknown = parse(readFileSync(this.#options.projectFile, 'utf8'));
      const connections = isRecord(data) && isRecord(data['connections']) ? data['connections'] : {};
      return Object.fromEntries(
        Object.entries(connections).flatMap(([name, value]) => (isRecord(value) && typeof value['description'] === 'string' ? [[name, value['description']]] : [])),
      );
    } catch {
      return {};
    }
  }

  #pipelineItem(project: ProjectSpec, file: string): PipelineListItem {
    const relativeFile = projectRelative(project.baseDir, file);
    try {
      const spec = this.#parse(project, readFileSync(file, 'utf8'), file);
      return { file: relativeFile, name: spec.name, source: `${spec.from.connection}/${spec.from.stream}`, destination: `${spec.to.connection}/${spec.to.action}` };
    } catch (error) {
      const { draft } = readPipelineText(existsSync(file) ? readFileSync(file, 'utf8') : '');
      return { file: relativeFile, ...(draft.name === '' ? {} : { name: draft.name }), problem: problemsOf(error)[0]?.message ?? 'does not load' };
    }
  }

  view(): ProjectView {
    const project = this.project();
    const first = project.pipelineFiles[0];
    return {
      projectFile: project.file,
      baseDir: project.baseDir,
      connections: connectionViews(project, this.#options.registry, this.#descriptions()),
      pipelines: project.pipelineFiles.map((file) => this.#pipelineItem(project, file)),
      converters: converterViews(),
      pipelineDir: first === undefined ? 'pipelines' : projectRelative(project.baseDir, dirname(first)) || '.',
      previewLimit: this.previewLimit,
    };
  }

  fields(from: { connection: string; stream: string }, to: { connection: string; action: string }): FieldsResponse {
    return fieldViews(this.project(), this.#options.registry, from, to);
  }

  #resolve(project: ProjectSpec, file: string): string {
    return resolvePipelinePath(project.baseDir, file, project.file);
  }

  #parse(project: ProjectSpec, text: string, file: string): PipelineSpec {
    return parsePipeline(text, file, { project, registry: this.#options.registry, ...(this.#options.env === undefined ? {} : { env: this.#options.env }) });
  }

  /** Problems of a pipeline text (empty: the loader accepts it), and the spec when it loads. */
  #check(project: ProjectSpec, text: string, file: string): { spec: PipelineSpec | undefined; problems: Problem[] } {
    const { errors } = readPipelineText(text);
    if (errors.length > 0) return { spec: undefined, problems: errors.map((error) => ({ code: 'CONFIG_SYNTAX', message: error.message, line: error.line, column: error.column })) };
    try {
      return { spec: this.#parse(project, text, file), problems: [] };
    } catch (error) {
      return { spec: undefined, problems: problemsOf(error, text, file) };
    }
  }

  open(file: string): OpenPipelineResponse {
    const project = this.project();
    const absolute = this.#resolve(project, file);
    if (!existsSync(absolute)) {
      throw new FerryError('STUDIO_PIPELINE_NOT_FOUND', `${file} does not exist`, { hint: 'pick a pipeline from the list, or start a new one' });
    }
    const text = readFileSync(absolute, 'utf8');
    const { draft } = readPipelineText(text);
    return { file: projectRelative(project.baseDir, absolute), hash: hashText(text), text, draft, problems: this.#check(project, text, absolute).problems };
  }

  /** Where editors find the pipeline schema, relative to the file, when the project holds it. */
  #schemaHint(project: ProjectSpec, file: string): string | undefined {
    const schema = configSchemaPath('pipeline');
    const fromBase = relative(project.baseDir, schema);
    if (fromBase.startsWith('..') || isAbsolute(fromBase)) return undefined;
    return relative(dirname(file), schema).split(sep).join('/');
  }

  #render(project: ProjectSpec, absolute: string, draft: PipelineDraft): string {
    const existing = existsSync(absolute) ? readFileSync(absolute, 'utf8') : undefined;
    const hint = this.#schemaHint(project, absolute);
    return renderPipeline(existing, draft, hint === undefined ? {} : { schemaHint: hint });
  }

  #draftFile(project: ProjectSpec, request: { readonly file?: string | undefined; readonly draft: PipelineDraft }): string {
    if (request.file !== undefined && request.file !== '') return this.#resolve(project, request.file);
    const name = request.draft.name === '' ? 'new-pipeline' : request.draft.name;
    return join(project.baseDir, 'pipelines', `${name}.yaml`);
  }

  async sample(source: SampleSource, refresh: boolean): Promise<SampleResponse> {
    const project = this.project();
    const schemaFields = this.#sourceSchemaFields(project, source);
    try {
      const sample = await this.#samples.read(project, source, this.previewLimit, refresh);
      return {
        records: sample.records,
        fields: mergeFields(schemaFields, fieldsOfRecords(sample.records)),
        primaryKey: sample.primaryKey,
        ...(sample.partitions === undefined ? {} : { partitions: sample.partitions }),
        ...(sample.partition === undefined ? {} : { partition: sample.partition }),
      };
    } catch (error) {
      const [problem] = problemsOf(error);
      return { records: [], fields: schemaFields, primaryKey: '', ...(problem === undefined ? {} : { error: problem }) };
    }
  }

  #sourceSchemaFields(project: ProjectSpec, source: { connection: string; stream: string }): FieldView[] {
    const connection = project.connections[source.connection];
    const raw = connection === undefined ? undefined : this.#options.registry.get(connection.connector)?.streams.find((stream) => stream.name === source.stream);
    return raw === undefined || connection === undefined ? [] : fieldsOfSchema(resolveStream(raw, connection.config).schema, 'source');
  }

  async preview(request: PreviewRequest, signal: AbortSignal): Promise<PreviewResponse> {
    const project = this.project();
    const absolute = this.#draftFile(project, request);
    const text = this.#render(project, absolute, request.draft);
    const checked = this.#check(project, text, absolute);
    const spec = checked.spec;
    const clash = spec === undefined ? undefined : this.#nameClash(project, spec, absolute);
    const problems = clash === undefined ? checked.problems : [...checked.problems, clash];
    let records: readonly JsonRecord[] = [];
    let primaryKey = '';
    let partition: string | undefined;
    let sourceError: Problem | undefined;
    try {
      const source: SampleSource = { ...request.draft.from, ...(request.partition === undefined ? {} : { partition: request.partition }) };
      const sample = await this.#samples.read(project, source, this.previewLimit, request.refresh === true);
      records = sample.records;
      primaryKey = sample.primaryKey;
      partition = sample.partition;
    } catch (error) {
      sourceError = problemsOf(error)[0];
    }
    const fields = await previewFields(request.draft.map, records);
    let planned = false;
    let mapped: readonly (JsonRecord | undefined)[] = [];
    let entries: Awaited<ReturnType<typeof planRecords>>['entries'] = [];
    if (spec !== undefined && records.length > 0) {
      const plan = await planRecords(spec, records, primaryKey, {
        project,
        registry: this.#options.registry,
        store: this.#options.store,
        vault: this.#options.vault,
        log: this.#options.log,
        env: this.#options.env,
        timeScale: this.#options.timeScale,
        signal,
        partition,
      });
      planned = plan.error === undefined;
      mapped = plan.mapped;
      entries = plan.entries;
      if (plan.error !== undefined) sourceError ??= { code: plan.error.code, message: plan.error.message, ...(plan.error.hint === undefined ? {} : { hint: plan.error.hint }) };
    }
    const rows = records.map((record, index) => previewRow(record, primaryKey, fields[index] ?? {}, mapped[index], entries[index]));
    return { text, problems, rows, planned, ...(partition === undefined ? {} : { partition }), ...(sourceError === undefined ? {} : { sourceError }) };
  }

  /**
   * Validates the file as it would be written with the core loader and writes it only when it loads; a file
   * changed on disk since it was opened (or a new file that now exists) is not overwritten.
   */
  save(request: SaveRequest): SaveResponse {
    const project = this.project();
    const absolute = this.#resolve(project, request.file);
    const exists = existsSync(absolute);
    if (exists) {
      const current = hashText(readFileSync(absolute, 'utf8'));
      if (request.baseHash === undefined) {
        throw new FerryError('STUDIO_FILE_EXISTS', `${request.file} already exists`, { hint: 'open it from the list to edit it, or choose another file name' });
      }
      if (current !== request.baseHash) {
        throw new FerryError('STUDIO_FILE_CHANGED', `${request.file} was changed on disk since it was opened`, { hint: 'reopen the file to see the change (your edits are kept in this tab until you do)' });
      }
    }
    const text = this.#render(project, absolute, request.draft);
    const { spec, problems } = this.#check(project, text, absolute);
    if (spec === undefined) throw new SaveRejected(problems);
    const clash = this.#nameClash(project, spec, absolute);
    if (clash !== undefined) throw new SaveRejected([clash]);
    writeAtomically(absolute, text);
    this.#options.log.info({ file: absolute, pipeline: spec.name }, 'studio saved a pipeline');
    const warnings = this.project().pipelineFiles.includes(absolute)
      ? []
      : [`${projectRelative(project.baseDir, absolute)} is not matched by the \`pipelines:\` patterns of ${projectRelative(project.baseDir, project.file)}; run it by path, or add it there`];
    return { file: projectRelative(project.baseDir, absolute), hash: hashText(text), text, warnings };
  }

  #nameClash(project: ProjectSpec, spec: PipelineSpec, file: string): Problem | undefined {
    for (const other of project.pipelineFiles) {
      if (other === file) continue;
      let name: string;
      try {
        name = readPipelineText(readFileSync(other, 'utf8')).draft.name;
      } catch {
        continue;
      }
      if (name === spec.name) {
        const at = spec.positions['name'];
        return {
          code: 'CONFIG_DUPLICATE_PIPELINE',
          message: `pipeline name '${spec.name}' is already used by ${projectRelative(project.baseDir, other)}`,
          hint: 'give each pipeline its own name (checkpoints and links are kept per name)',
          ...(at === undefined ? {} : { line: at.line, column: at.column }),
        };
      }
    }
    return undefined;
  }
}
