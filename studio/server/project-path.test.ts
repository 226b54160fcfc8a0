import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePipelinePath } from './project-path.js';

const root = mkdtempSync(join(tmpdir(), 'studio-path-'));
const project = join(root, 'project');
const outside = join(root, 'outside');
mkdirSync(join(project, 'pipelines'), { recursive: true });
mkdirSync(outside);
writeFileSync(join(project, 'ferry.yaml'), 'connections: {}\n');
writeFileSync(join(outside, 'victim.yaml'), 'name: victim\n');
symlinkSync(outside, join(project, 'escape'));
symlinkSync(join(outside, 'victim.yaml'), join(project, 'pipelines', 'link.yaml'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const check = (file: string): string => resolvePipelinePath(project, file, join(project, 'ferry.yaml'));
const refusal = (file: string): string | undefined => {
  try {
    check(file);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('resolvePipelinePath', () => {
  it('accepts .yaml and .yml files inside the project, new or existing, in new folders too', () => {
    expect(check('pipelines/a.yaml')).toBe(join(project, 'pipelines', 'a.yaml'));
    expect(check('pipelines/deeper/b.yml')).toBe(join(project, 'pipelines', 'deeper', 'b.yml'));
  });

  it('refuses paths that leave the project', () => {
    expect(refusal('../outside/victim.yaml')).toBe('STUDIO_PATH_OUTSIDE');
    expect(refusal(join(outside, 'victim.yaml'))).toBe('STUDIO_PATH_OUTSIDE');
    expect(refusal('pipelines/../../outside/x.yaml')).toBe('STUDIO_PATH_OUTSIDE');
    expect(refusal('')).toBe('STUDIO_PATH_OUTSIDE');
  });

  it('refuses other file types and the project file', () => {
    expect(refusal('pipelines/a.json')).toBe('STUDIO_PATH_NOT_YAML');
    expect(refusal('.env')).toBe('STUDIO_PATH_NOT_YAML');
    expect(refusal('ferry.yaml')).toBe('STUDIO_PATH_PROJECT_FILE');
  });

  it('refuses symbolic links out of the project and links themselves', () => {
    expect(refusal('escape/victim.yaml')).toBe('STUDIO_PATH_SYMLINK');
    expect(refusal('escape/new/x.yaml')).toBe('STUDIO_PATH_SYMLINK');
    expect(refusal('pipelines/link.yaml')).toBe('STUDIO_PATH_SYMLINK');
  });
});
