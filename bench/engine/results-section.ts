/**
 * bench/RESULTS.md holds one `## ` section per benchmark. This replaces nothing but the engine's: a new run is
 * appended at the end of the `## engine` section (created after the intro when missing), other sections untouched.
 */

const INTRO = `# Benchmark results

Each benchmark writes its own section below; \`bench/README.md\` says what each one measures and how to run it.
`;

export const ENGINE_HEADING = '## engine';

/** The file's text with `entry` added at the end of the engine section (`sectionIntro` opens a new section). */
export function withEngineEntry(file: string | undefined, sectionIntro: string, entry: string): string {
  const text = file === undefined || file.trim() === '' ? INTRO : file;
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === ENGINE_HEADING);
  if (start === -1) {
    const body = text.endsWith('\n') ? text : `${text}\n`;
    return `${body}\n${ENGINE_HEADING}\n\n${sectionIntro.trim()}\n\n${entry.trim()}\n`;
  }
  let end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  if (end === -1) end = lines.length;
  const section = lines.slice(start, end).join('\n').trimEnd();
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  const rebuilt = `${section}\n\n${entry.trim()}\n`;
  return `${before}${before === '' ? '' : '\n'}${rebuilt}${after === '' ? '' : `\n${after}`}`.replace(/\n*$/, '\n');
}
