import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const RESULTS_FILE = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
const INTRO = `# Benchmark results

Each benchmark writes its own section below; \`bench/README.md\` says what each one measures and how to run it.
`;

/**
 * The text of bench/RESULTS.md with `entry` added at the end of the `## <name>` section: a missing file starts
 * with a short intro, a missing section is added at the end with `sectionIntro`; other sections stay as they were.
 */
export function withResultsEntry(file: string | undefined, name: string, sectionIntro: string, entry: string): string {
  const heading = `## ${name}`;
  const lines = (file === undefined || file.trim() === '' ? INTRO : file).split('\n');
  const start = lines.findIndex((line) => line.trimEnd() === heading);
  let next: string[];
  if (start < 0) {
    next = [...trimEnd(lines), '', heading, '', sectionIntro.trim(), '', entry.trim()];
  } else {
    const rest = lines.slice(start + 1).findIndex((line) => line.startsWith('## '));
    const end = rest < 0 ? lines.length : start + 1 + rest;
    const after = lines.slice(end);
    next = [...trimEnd(lines.slice(0, end)), '', entry.trim(), ...(after.length > 0 ? ['', ...after] : [])];
  }
  return `${trimEnd(next).join('\n')}\n`;
}

/** Appends `entry` to the `## <name>` section of bench/RESULTS.md and returns the file's path. */
export function appendResultsEntry(name: string, sectionIntro: string, entry: string): string {
  const current = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : undefined;
  writeFileSync(RESULTS_FILE, withResultsEntry(current, name, sectionIntro, entry));
  return RESULTS_FILE;
}

function trimEnd(lines: readonly string[]): string[] {
  const copy = [...lines];
  while (copy.length > 0 && copy.at(-1)?.trim() === '') copy.pop();
  return copy;
}
