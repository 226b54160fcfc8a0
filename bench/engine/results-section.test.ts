import { describe, expect, it } from 'vitest';
import { ENGINE_HEADING, withEngineEntry } from './results-section.js';

const intro = 'What the engine benchmark measures.';

describe('withEngineEntry', () => {
  it('creates the file with an intro and the section when there is none', () => {
    const text = withEngineEntry(undefined, intro, '### run 1\n\nfigures');
    expect(text.startsWith('# Benchmark results\n')).toBe(true);
    expect(text).toContain(`${ENGINE_HEADING}\n\n${intro}\n\n### run 1\n\nfigures\n`);
  });

  it('adds the section after the other benchmarks, leaving them as they were', () => {
    const other = '# Benchmark results\n\n## Salesmsg\n\nits table\n';
    const text = withEngineEntry(other, intro, '### run 1');
    expect(text.startsWith(other)).toBe(true);
    expect(text.endsWith(`${ENGINE_HEADING}\n\n${intro}\n\n### run 1\n`)).toBe(true);
  });

  it('appends a run to its own section only, before the next section', () => {
    const existing = `# Benchmark results\n\n## a\n\nA\n\n${ENGINE_HEADING}\n\n${intro}\n\n### run 1\n\n## z\n\nZ\n`;
    const text = withEngineEntry(existing, intro, '### run 2');
    expect(text).toBe(`# Benchmark results\n\n## a\n\nA\n\n${ENGINE_HEADING}\n\n${intro}\n\n### run 1\n\n### run 2\n\n## z\n\nZ\n`);
  });
});
