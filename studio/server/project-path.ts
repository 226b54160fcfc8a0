import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { FerryError } from '@ferry/core';

export type PathRefusal = 'STUDIO_PATH_OUTSIDE' | 'STUDIO_PATH_NOT_YAML' | 'STUDIO_PATH_SYMLINK' | 'STUDIO_PATH_PROJECT_FILE';

function inside(baseDir: string, path: string): boolean {
  const rel = relative(baseDir, path);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function refuse(code: PathRefusal, message: string, hint: string): FerryError<PathRefusal> {
  return new FerryError(code, message, { hint });
}

/** The nearest directory at or above `path` that exists. */
function existingAncestor(path: string): string {
  let dir = path;
  while (!existsSync(dir)) {
    const parent = dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
  }
  return dir;
}

/**
 * Resolves a pipeline file named by the browser (relative to the project directory) and checks that it may be
 * read or written: a `.yaml`/`.yml` file inside the project, not the project file itself, reached through no
 * symbolic link that leads elsewhere, and not a symbolic link itself.
 * @throws FerryError STUDIO_PATH_OUTSIDE | STUDIO_PATH_NOT_YAML | STUDIO_PATH_SYMLINK | STUDIO_PATH_PROJECT_FILE
 */
export function resolvePipelinePath(baseDir: string, file: string, projectFile: string): string {
  const hint = 'choose a .yaml file inside the project directory, such as pipelines/my-pipeline.yaml';
  if (typeof file !== 'string' || file.trim() === '' || file.includes('\0')) {
    throw refuse('STUDIO_PATH_OUTSIDE', 'no pipeline file was named', hint);
  }
  const base = resolve(baseDir);
  const absolute = resolve(base, file);
  if (!inside(base, absolute)) throw refuse('STUDIO_PATH_OUTSIDE', `${file} is outside the project directory ${base}`, hint);
  if (!['.yaml', '.yml'].includes(extname(absolute).toLowerCase())) {
    throw refuse('STUDIO_PATH_NOT_YAML', `${file} is not a .yaml or .yml file`, hint);
  }
  if (absolute === resolve(projectFile)) {
    throw refuse('STUDIO_PATH_PROJECT_FILE', `${file} is the project file, not a pipeline`, 'pipelines live in their own files, e.g. under pipelines/');
  }
  // Symbolic links: the real directory the file lands in must still be inside the real project directory.
  const realBase = realpathSync(base);
  const realParent = realpathSync(existingAncestor(dirname(absolute)));
  if (realParent !== realBase && !inside(realBase, realParent)) {
    throw refuse('STUDIO_PATH_SYMLINK', `${file} leads out of the project directory through a symbolic link`, hint);
  }
  if (existsSync(absolute) || isDanglingLink(absolute)) {
    if (lstatSync(absolute).isSymbolicLink()) throw refuse('STUDIO_PATH_SYMLINK', `${file} is a symbolic link; the studio edits only regular files`, 'edit the file the link points to, or replace the link with the file');
  }
  return absolute;
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The path as the browser shows it: relative to the project directory, with `/`. */
export function projectRelative(baseDir: string, file: string): string {
  return relative(baseDir, file).split(sep).join('/');
}
