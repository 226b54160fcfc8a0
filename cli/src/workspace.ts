import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import {
  FerryError,
  didYouMeanSuffix,
  findProjectFile,
  loadPipeline,
  loadPipelines,
  loadProject,
  openStore,
  type ConnectorRegistry,
  type PipelineSpec,
  type ProjectSpec,
  type Store,
} from '@ferry/core';
import type { CliIo } from './cli-io.js';
import { createCliLogger, type CliLogger } from './logger.js';

/** Options every command accepts (`ferry --help`). */
export interface GlobalOptions {
  readonly project?: string | undefined;
  readonly logLevel?: string | undefined;
  readonly logFile?: string | undefined;
  readonly json: boolean;
  readonly progress: boolean;
}

/**
 * What one invocation works on: the project file, its pipelines, the store and the log, each opened on first
 * use (catalog and sandbox need none of them) and closed once at the end.
 */
export class Workspace {
  private projectSpec: ProjectSpec | undefined;
  private projectEnv: Readonly<Record<string, string | undefined>> | undefined;
  private allPipelines: PipelineSpec[] | undefined;
  private openedStore: Store | undefined;
  private cliLogger: CliLogger | undefined;

  constructor(
    readonly io: CliIo,
    readonly options: GlobalOptions,
    readonly registry: ConnectorRegistry,
  ) {}

  /** `--project`, else ferry.yaml found upward from the working directory. */
  projectFile(): string {
    // A missing file is the loader's CONFIG_NOT_FOUND, like any other file it cannot read.
    if (this.options.project !== undefined) return resolve(this.io.cwd, this.options.project);
    const found = findProjectFile(this.io.cwd);
    if (found === undefined) {
      throw new FerryError('PROJECT_NOT_FOUND', `no ferry.yaml in ${this.io.cwd} or any parent directory`, {
        hint: 'run the command inside a ferry project, or pass --project <path/to/ferry.yaml>',
      });
    }
    return found;
  }

  /** Variables for `${ENV}` references: the process environment over the project's `.env` file, if any. */
  env(): Readonly<Record<string, string | undefined>> {
    if (this.projectEnv === undefined) {
      const dotenv = resolve(dirname(this.projectFile()), '.env');
      const fromFile = existsSync(dotenv) ? parseEnv(readFileSync(dotenv, 'utf8')) : {};
      this.projectEnv = { ...fromFile, ...this.io.env };
    }
    return this.projectEnv;
  }

  project(): ProjectSpec {
    this.projectSpec ??= loadProject(this.projectFile(), { registry: this.registry, env: this.env() });
    return this.projectSpec;
  }

  /** Every pipeline of the project (names unique). */
  pipelines(): PipelineSpec[] {
    this.allPipelines ??= loadPipelines(this.project(), this.registry, this.env());
    return this.allPipelines;
  }

  /** A pipeline by name (from the project) or by file (any path, relative to the working directory). */
  pipeline(nameOrFile: string): PipelineSpec {
    if (looksLikeFile(nameOrFile)) {
      return loadPipeline(resolve(this.io.cwd, nameOrFile), { project: this.project(), registry: this.registry, env: this.env() });
    }
    const pipelines = this.pipelines();
    const found = pipelines.find((p) => p.name === nameOrFile);
    if (found === undefined) {
      const names = pipelines.map((p) => p.name);
      throw new FerryError(
        'PIPELINE_NOT_FOUND',
        `no pipeline named '${nameOrFile}' in ${this.project().file}${didYouMeanSuffix(nameOrFile, names)}`,
        {
          hint:
            names.length === 0
              ? 'the project has no pipelines yet: add a file under pipelines/ (see README.md, "Pipeline files")'
              : `known pipelines: ${names.join(', ')}`,
        },
      );
    }
    return found;
  }

  store(): Store {
    if (this.openedStore === undefined) {
      const project = this.project();
      this.openedStore = openStore(project.store, project.baseDir);
    }
    return this.openedStore;
  }

  /**
   * The log: `--log-file` or the project's `log.file`, else stderr. Level: `--log-level`, else the project's
   * `log.level` for a file, else `warn` on stderr (a terminal is for people) unless the project raised it.
   */
  logger(): CliLogger {
    if (this.cliLogger === undefined) {
      const project = this.projectSpec;
      const file =
        this.options.logFile !== undefined
          ? resolve(this.io.cwd, this.options.logFile)
          : project?.log.file !== undefined
            ? resolve(project.baseDir, project.log.file)
            : undefined;
      const projectLevel = project?.log.level;
      const level =
        this.options.logLevel ??
        (file !== undefined ? projectLevel : projectLevel !== undefined && projectLevel !== 'info' ? projectLevel : undefined);
      this.cliLogger = createCliLogger({ level, file });
    }
    return this.cliLogger;
  }

  /** Whether a logger was made (error reports say where the log is only then). */
  loggerIfOpen(): CliLogger | undefined {
    return this.cliLogger;
  }

  print(lines: string | readonly string[]): void {
    const text = typeof lines === 'string' ? lines : lines.join('\n');
    this.io.stdout.write(`${text}\n`);
  }

  /** Text for people; silent in --json mode, where stdout carries one JSON document only. */
  say(lines: string | readonly string[]): void {
    if (!this.options.json) this.print(lines);
  }

  /** Notes on stderr (progress of a stop, warnings): never mixed into the command's output. */
  note(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  emitJson(value: unknown): void {
    this.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  close(): void {
    const store = this.openedStore;
    this.openedStore = undefined;
    store?.close();
  }
}

/** `pipelines/x.yaml`, `./x.yml`, `x.yaml`: a path; `sample-contacts`: a name (names cannot hold `/` or `.`). */
export function looksLikeFile(argument: string): boolean {
  return /\.ya?ml$/i.test(argument) || argument.includes('/') || argument.includes('\\');
}
