import { describe, expect, it } from 'vitest';
import { withResultsEntry } from './results-section.js';

describe('withResultsEntry', () => {
  it('creates the file with an intro, then the section with its intro and the entry', () => {
    const text = withResultsEntry(undefined, 'http', 'What it measures.', '### run 1\n\nfigures');
    expect(text.startsWith('# Benchmark results\n')).toBe(true);
    expect(text.endsWith('## http\n\nWhat it measures.\n\n### run 1\n\nfigures\n')).toBe(true);
  });

  it('adds a missing section after the others, leaving them as they were', () => {
    const other = '# Benchmark results\n\n## engine\n\nits table\n';
    expect(withResultsEntry(other, 'ghl-rate', 'Intro.', '### run 1')).toBe(`${other}\n## ghl-rate\n\nIntro.\n\n### run 1\n`);
  });

  it('appends a run at the end of its own section only, before the next section', () => {
    const existing = '# Benchmark results\n\n## a\n\nA\n\n## http\n\nIntro.\n\n### run 1\n\n## z\n\nZ\n';
    expect(withResultsEntry(existing, 'http', 'Intro.', '### run 2')).toBe(
      '# Benchmark results\n\n## a\n\nA\n\n## http\n\nIntro.\n\n### run 1\n\n### run 2\n\n## z\n\nZ\n',
    );
  });

  it('does not take a longer heading or a subsection for its own', () => {
    const existing = '# Benchmark results\n\n## http-cache\n\nX\n\n### http\n';
    const text = withResultsEntry(existing, 'http', 'Intro.', '### run 1');
    expect(text).toBe(`${existing}\n## http\n\nIntro.\n\n### run 1\n`);
  });
});
