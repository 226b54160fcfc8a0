import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { ConfigError } from './config-error.js';
import { childPointer } from './json-pointer.js';
import type { YamlSource } from './yaml-source.js';

/** Used when ferry.yaml has no `pipelines:`. */
export const DEFAULT_PIPELINE_PATTERNS: readonly string[] = ['pipelines/*.{yaml,yml}'];

export interface PipelineFiles {
  /** Absolute paths, in the order of the patterns (sorted within a glob), each once. */
  readonly files: readonly string[];
  readonly problems: readonly ConfigError[];
}

/**
 * Expands the `pipelines:` entries of ferry.yaml against its directory. A glob may match nothing (a new
 * project has no pipelines yet); a plain path must name an existing file.
 */
export function expandPipelineFiles(
  patterns: readonly string[] | undefined,
  baseDir: string,
  source: YamlSource,
): PipelineFiles {
  const files: string[] = [];
  const problems: ConfigError[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    files.push(file);
  };
  (patterns ?? DEFAULT_PIPELINE_PATTERNS).forEach((pattern, index) => {
    if (isDynamicPattern(pattern)) {
      const matches = globSync(pattern, { cwd: baseDir, absolute: true, onlyFiles: true, expandDirectories: false });
      for (const match of matches.map((file) => resolve(file)).sort()) add(match);
      return;
    }
    const file = resolve(baseDir, pattern);
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      isFile = false;
    }
    if (isFile) {
      add(file);
      return;
    }
    problems.push(
      new ConfigError('CONFIG_NOT_FOUND', source.positionOf(childPointer('/pipelines', index), 'value'), `no pipeline file '${pattern}'`, {
        hint: `create ${file}, fix the path (relative to ${baseDir}), or use a glob such as pipelines/*.yaml`,
        details: { pattern, resolved: file },
      }),
    );
  });
  return { files, problems };
}
