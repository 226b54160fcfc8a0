import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ConnectorContext } from '@ferry/core';
import { createTestContext } from '@ferry/core/testing';

/** A temporary directory that one test file writes its data files into; removed after the file's tests. */
export interface ScratchDir {
  readonly dir: string;
  /** Writes a new file holding `content` and returns its name, relative to `dir`. */
  readonly fileWith: (content: string) => string;
  /** A quiet connector context for this connection config, whose relative paths resolve in `dir`. */
  readonly ctxFor: (config: Record<string, unknown>) => ConnectorContext;
}

export function scratchDir(extension: string): ScratchDir {
  const dir = mkdtempSync(join(tmpdir(), `ferry-${extension}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  return {
    dir,
    fileWith: (content) => {
      files += 1;
      const name = `f${files}.${extension}`;
      writeFileSync(join(dir, name), content);
      return name;
    },
    ctxFor: (config) => createTestContext({ config, baseDir: dir }),
  };
}
