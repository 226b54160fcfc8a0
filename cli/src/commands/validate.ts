import { basename, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { isConfigError, isFerryError, loadPipeline, loadPipelines, loadProject, type FerryError } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, exitCodeForError, type ExitCodeValue } from '../exit-codes.js';

interface FileVerdict {
  readonly file: string;
  readonly kind: 'project' | 'pipeline';
  readonly error: FerryError | undefined;
}

export function registerValidateCommand(program: Command, invocation: Invocation): void {
  program
    .command('validate')
    .description('check the project and all its pipelines (or the given files); exit 2 on any error')
    .argument('[files...]', 'pipeline files or ferry.yaml (default: the project and all its pipelines)')
    .action(async (files: string[], _options: unknown, command: Command) =>
      invocation.run(command, (ws) => validateCommand(ws, files)),
    );
}

/** Runs a loader; a configuration error is the verdict, anything else is a real failure and propagates. */
function attempt(load: () => unknown): FerryError | undefined {
  try {
    load();
    return undefined;
  } catch (error) {
    if (isFerryError(error) && exitCodeForError(error) === ExitCode.usage) return error;
    throw error;
  }
}

function validateCommand(ws: Workspace, files: readonly string[]): ExitCodeValue {
  const projectFile = ws.projectFile();
  const verdicts: FileVerdict[] = [];
  const projectError = attempt(() => ws.project());
  verdicts.push({ file: projectFile, kind: 'project', error: projectError });

  const given = files.map((f) => resolve(ws.io.cwd, f)).filter((f) => f !== projectFile);
  const otherProjects = given.filter((f) => /^ferry\.ya?ml$/i.test(basename(f)));
  for (const file of otherProjects) {
    verdicts.push({ file, kind: 'project', error: attempt(() => loadProject(file, { registry: ws.registry, env: ws.env() })) });
  }
  const pipelineFiles = files.length === 0 ? (projectError === undefined ? ws.project().pipelineFiles : []) : given.filter((f) => !otherProjects.includes(f));

  let unchecked = 0;
  if (projectError !== undefined) {
    unchecked = pipelineFiles.length;
  } else {
    for (const file of pipelineFiles) {
      verdicts.push({
        file,
        kind: 'pipeline',
        error: attempt(() => loadPipeline(file, { project: ws.project(), registry: ws.registry, env: ws.env() })),
      });
    }
    // Rules across files (unique pipeline names) once each file passes on its own.
    if (files.length === 0 && verdicts.every((v) => v.error === undefined)) {
      const crossFile = attempt(() => loadPipelines(ws.project(), ws.registry, ws.env()));
      if (crossFile !== undefined) verdicts.push({ file: projectFile, kind: 'project', error: crossFile });
    }
  }

  const problems = verdicts.flatMap((v) => (v.error === undefined ? [] : isConfigError(v.error) ? [v.error, ...v.error.others] : [v.error]));
  if (ws.options.json) {
    ws.emitJson({
      ok: problems.length === 0 && unchecked === 0,
      unchecked,
      files: verdicts.map((v) => ({ file: v.file, kind: v.kind, ok: v.error === undefined, error: v.error?.toJSON() ?? null })),
    });
  } else {
    for (const verdict of verdicts) {
      if (verdict.error === undefined) {
        ws.print(`ok     ${relative(ws.io.cwd, verdict.file) || verdict.file}`);
        continue;
      }
      for (const problem of isConfigError(verdict.error) ? [verdict.error, ...verdict.error.others] : [verdict.error]) {
        ws.print(`error  ${problem.message}`);
        if (problem.hint !== undefined) ws.print(`       hint: ${problem.hint}`);
      }
    }
    if (unchecked > 0) ws.print(`${unchecked} pipeline file(s) not checked: fix the project file first`);
    ws.print(problems.length === 0 ? `all ${verdicts.length} file(s) valid` : `${problems.length} error(s)`);
  }
  return problems.length === 0 && unchecked === 0 ? ExitCode.ok : ExitCode.usage;
}
